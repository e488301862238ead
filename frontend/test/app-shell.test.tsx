import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/components/App';
import { setup } from './render';

beforeEach(() => {
  localStorage.clear();
  location.hash = '#/';
});

const empty = vi.fn(async () => ({ summaries: [], total: 0, page: 1, per_page: 20, total_pages: 0 }));

describe('the app shell', () => {
  it('renders the Summarize form before any call was answered', () => {
    setup(<App />, { cachedSummaries: empty });
    // No start(), no await: the form is there at the first render.
    expect(screen.getByRole('textbox', { name: 'Links' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Summarize' })).toBeTruthy();
  });

  it('"/" opens the library (its code loaded on demand) with the search field focused', async () => {
    const { s } = setup(<App />, { cachedSummaries: empty });
    await s.start();
    fireEvent.keyDown(document.body, { key: '/' });
    await waitFor(() => expect(document.activeElement?.id).toBe('lib-search'));
    expect(location.hash).toBe('#/library');
  });
});
