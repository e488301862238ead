import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Diagnostics } from '../src/components/Diagnostics';
import { ApiError } from '../src/lib/api/errors';
import type { Diagnosis } from '../src/lib/api/types';
import { setup } from './render';

beforeEach(() => localStorage.clear());

const screens = {
  systemHealth: vi.fn(async () => ({ status: 'healthy' })),
  performanceMetrics: vi.fn(async () => ({ active_jobs: 0 })),
  cacheStatus: vi.fn(async () => ({ files: 0 })),
};

// A video whose manual English track needs a PO token while its automatic one is clean.
const gated: Diagnosis = {
  video_id: 'gatedManual',
  sources: [
    {
      name: 'ANDROID', status: 'ok', error: null,
      tracks: [
        { language: 'en', kind: 'manual', gated: true, chosen: false },
        { language: 'en', kind: 'asr', gated: false, chosen: true },
      ],
    },
    { name: 'IOS', status: 'not_asked', error: null, tracks: [] },
  ],
  chosen: { source: 'ANDROID', language: 'en', kind: 'asr', name: 'English (auto-generated)', reason: 'the automatic track of a preferred language (en); its manual track needs a PO token' },
};

const paste = (url: string) => {
  fireEvent.input(screen.getByLabelText('Video link'), { target: { value: url } });
  fireEvent.click(screen.getByRole('button', { name: 'Check' }));
};

describe('Diagnostics: Check a link', () => {
  it('shows every source, every track (language, kind, gated, chosen) and the choice with its reason', async () => {
    const diagnose = vi.fn(async () => gated);
    setup(<Diagnostics />, { ...screens, diagnose });
    paste('  https://www.youtube.com/watch?v=gatedManual ');
    await screen.findByText(/Transcript found:/);
    expect(diagnose).toHaveBeenCalledWith('https://www.youtube.com/watch?v=gatedManual');

    const choice = screen.getByText(/Transcript found:/).closest('p')!;
    expect(choice.textContent).toContain('en automatic track “English (auto-generated)” from ANDROID');
    expect(choice.textContent).toContain('Why: the automatic track of a preferred language (en); its manual track needs a PO token.');

    const android = screen.getByRole('region', { name: 'Source ANDROID' });
    expect(within(android).getByRole('heading').textContent).toContain('answered with caption tracks');
    const rows = within(android).getAllByRole('row').slice(1).map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent));
    expect(rows).toEqual([
      ['en', 'manual', 'needed (gated)', ''],
      ['en', 'automatic', 'not needed', 'chosen'],
    ]);
    const ios = screen.getByRole('region', { name: 'Source IOS' });
    expect(ios.textContent).toContain('not asked (a usable track was found before)');
    expect(within(ios).queryByRole('table')).toBeNull();
  });

  it('says when no transcript was found, with each source’s answer', async () => {
    const none: Diagnosis = {
      video_id: 'prvVideo001', chosen: null,
      sources: [{ name: 'ANDROID', status: 'refused', error: 'This video is private. — YouTube said: LOGIN_REQUIRED', tracks: [] }],
    };
    setup(<Diagnostics />, { ...screens, diagnose: vi.fn(async () => none) });
    paste('https://www.youtube.com/watch?v=prvVideo001');
    await screen.findByText('No transcript found.');
    expect(screen.getByRole('region', { name: 'Source ANDROID' }).textContent).toContain('This video is private. — YouTube said: LOGIN_REQUIRED');
  });

  it('shows the service’s sentence for a link that is not a video, and asks for a link when empty', async () => {
    const diagnose = vi.fn(async () => {
      throw new ApiError('Diagnosis explains one video; paste a video link, not a playlist or channel.', { code: 'invalid', status: 400 });
    });
    setup(<Diagnostics />, { ...screens, diagnose });
    fireEvent.click(screen.getByRole('button', { name: 'Check' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Paste the link of one YouTube video.');
    expect(diagnose).not.toHaveBeenCalled();

    paste('https://www.youtube.com/playlist?list=PL1');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Diagnosis explains one video; paste a video link, not a playlist or channel.'));
    expect(screen.queryByText(/Transcript found/)).toBeNull();
  });
});
