import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Library } from '../src/components/Library';
import { makeVideo } from './helpers';
import { setup } from './render';

beforeEach(() => localStorage.clear());

const line = /Still indexing 41,200 summaries — results may be incomplete/;

describe('Library search while the index catches up', () => {
  it('says the results may be incomplete while summaries are still being indexed', async () => {
    const a = makeVideo('octopus0001', { summary: 'octopus arms' });
    const { raw } = setup(<Library />, {
      searchSummaries: vi.fn(async () => [a]),
      cachedSummaries: vi.fn(async () => ({ summaries: [a], total: 1, page: 1, per_page: 10, total_pages: 1 })),
      libraryStatus: vi.fn(async () => ({ indexing_pending: 41200, indexing_seconds: 40 })),
    });
    await waitFor(() => expect(document.getElementById('t-octopus0001')).toBeTruthy());
    const box = await screen.findByLabelText('Search summaries');
    fireEvent.input(box, { target: { value: 'octopus' } });
    expect(await screen.findByText(line)).toBeTruthy();
    expect(raw.libraryStatus).toHaveBeenCalled();
    expect(document.getElementById('t-octopus0001')).toBeTruthy();
    // The list without a query is complete: the line goes with the query (the store still holds the count).
    fireEvent.input(box, { target: { value: '' } });
    await waitFor(() => expect(raw.cachedSummaries).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(document.getElementById('t-octopus0001')).toBeTruthy());
    expect(screen.queryByText(line)).toBeNull();
  });

  it('says nothing when the index has every summary', async () => {
    const a = makeVideo('octopus0001', { summary: 'octopus arms' });
    const { raw } = setup(<Library />, {
      searchSummaries: vi.fn(async () => [a]),
      libraryStatus: vi.fn(async () => ({ indexing_pending: 0, indexing_seconds: 0 })),
    });
    fireEvent.input(await screen.findByLabelText('Search summaries'), { target: { value: 'octopus' } });
    await waitFor(() => expect(document.getElementById('t-octopus0001')).toBeTruthy());
    await waitFor(() => expect(raw.libraryStatus).toHaveBeenCalled());
    expect(screen.queryByText(/Still indexing/)).toBeNull();
  });

  it('says an empty search may find something once the index has caught up', async () => {
    const a = makeVideo('octopus0001', { summary: 'octopus arms' });
    setup(<Library />, {
      searchSummaries: vi.fn(async () => []),
      cachedSummaries: vi.fn(async () => ({ summaries: [a], total: 1, page: 1, per_page: 10, total_pages: 1 })),
      libraryStatus: vi.fn(async () => ({ indexing_pending: 41200, indexing_seconds: 40 })),
    });
    fireEvent.input(await screen.findByLabelText('Search summaries'), { target: { value: 'quokka' } });
    expect(await screen.findByText(line)).toBeTruthy();
    expect(await screen.findByText('Nothing matches “quokka” yet; this search runs again when the index has caught up.')).toBeTruthy();
    expect(screen.queryByText('No summaries match “quokka”.')).toBeNull();
  });

  it('screen readers hear when indexing starts and when it ends, not every count in between', async () => {
    let pending = 41200;
    const a = makeVideo('octopus0001', { summary: 'octopus arms' });
    const { s } = setup(<Library />, {
      searchSummaries: vi.fn(async () => [a]),
      libraryStatus: vi.fn(async () => ({ indexing_pending: pending, indexing_seconds: pending / 1000 })),
    });
    fireEvent.input(await screen.findByLabelText('Search summaries'), { target: { value: 'octopus' } });
    const shown = await screen.findByText(line);
    // The visible count is in no live region: its changes are not read out.
    expect(shown.closest('[aria-live]')).toBeNull();
    const live = screen.getByTestId('indexing-live');
    expect(live.getAttribute('aria-live')).toBe('polite');
    await waitFor(() => expect(live.textContent).toBe('Still indexing summaries: search results may be incomplete.'));
    // The count goes down (as the store's poll would see it): the line shows it; the live region stays the same.
    pending = 12000;
    s.library.set({ ...s.library.get(), indexingPending: pending });
    expect(await screen.findByText(/Still indexing 12,000 summaries/)).toBeTruthy();
    expect(live.textContent).toBe('Still indexing summaries: search results may be incomplete.');
    expect(screen.getByTestId('indexing-live')).toBe(live);
    // The end: said once.
    pending = 0;
    s.library.set({ ...s.library.get(), indexingPending: pending });
    await waitFor(() => expect(live.textContent).toBe('Indexing finished: search results are complete.'));
    expect(screen.queryByText(/Still indexing \d/)).toBeNull();
  });
});
