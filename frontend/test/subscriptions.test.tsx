import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/components/App';
import { Library } from '../src/components/Library';
import { SummarizeForm } from '../src/components/SummarizeForm';
import { Subscriptions } from '../src/components/Subscriptions';
import { createTransport } from '../src/lib/api';
import { ApiError } from '../src/lib/api/errors';
import { createSubscriptions, PICTURE_RELOADS_MS } from '../src/stores/subscriptions';
import type { Transport } from '../src/lib/api/transport';
import type { Subscription } from '../src/lib/api/types';
import { describe as describeLink, followable } from '../src/lib/urls';
import { makeVideo } from './helpers';
import { setup } from './render';

beforeEach(() => {
  localStorage.clear();
  location.hash = '';
});

function sub(p: Partial<Subscription> = {}): Subscription {
  return {
    id: 's1', kind: 'channel', source_id: 'UCe2echannel000000000001', title: 'Curious Things',
    url: 'https://www.youtube.com/channel/UCe2echannel000000000001', model: '', style: '', length: '', language: '',
    interval_minutes: 60, paused: false, created_at: '2026-12-01T10:00:00Z', last_checked_at: '2026-12-07T04:00:00Z',
    last_error: null, new_count: 0, ...p,
  };
}

describe('links that can be followed', () => {
  it.each([
    ['https://www.youtube.com/@curiousthings', true],
    ['https://www.youtube.com/@curiousthings/videos', true],
    ['https://www.youtube.com/channel/UCe2echannel000000000001', true],
    ['https://www.youtube.com/c/Name', true],
    ['https://www.youtube.com/user/Name', true],
    ['https://www.youtube.com/playlist?list=PLtestplaylist00000001', true],
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', false],
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLtestplaylist00000001', false],
    ['https://youtu.be/dQw4w9WgXcQ', false],
    ['https://www.youtube.com/playlist?list=WL', false],
  ])('%s → %s', (url, want) => {
    expect(followable(describeLink(url))).toBe(want);
  });
});

describe('Summarize form', () => {
  it('offers Follow next to a channel link, not next to a video link, and follows with one click', async () => {
    const follow = vi.fn(async () => sub());
    const { s, raw } = setup(<SummarizeForm />, { follow });
    await s.start();
    fireEvent.input(screen.getByLabelText('Links'), {
      target: { value: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ\nhttps://www.youtube.com/@curiousthings' },
    });
    const offers = screen.getByRole('list', { name: /can follow/ });
    expect(within(offers).getAllByRole('button', { name: 'Follow' })).toHaveLength(1);
    fireEvent.click(within(offers).getByRole('button', { name: 'Follow' }));
    await waitFor(() => expect(raw.follow).toHaveBeenCalledWith({ url: 'https://www.youtube.com/@curiousthings' }));
    expect(await within(offers).findByRole('button', { name: 'Following' })).toBeTruthy();
    expect(raw.summarize).not.toHaveBeenCalled();
  });
});

describe('Subscriptions screen', () => {
  it('lists each subscription with its last check, error in words and new count', async () => {
    const list = [sub({ new_count: 3 }), sub({ id: 's2', kind: 'playlist', title: 'Talks', paused: true, last_error: 'YouTube did not answer in time.' })];
    setup(<Subscriptions />, { listSubscriptions: vi.fn(async () => list) });
    const row = await screen.findByRole('listitem', { name: 'Curious Things' });
    expect(within(row).getByText(/3 new/)).toBeTruthy();
    expect(within(row).getByText(/Last checked/)).toBeTruthy();
    const talks = screen.getByRole('listitem', { name: 'Talks' });
    expect(within(talks).getByText('The last check failed: YouTube did not answer in time.')).toBeTruthy();
    expect(within(talks).getByRole('button', { name: 'Resume' })).toBeTruthy();
  });

  it('follows with a backfill and interval; a video link gets the service sentence', async () => {
    const follow = vi.fn(async (req: { url: string }) => {
      if (req.url.includes('watch?v=')) throw new ApiError('This is a video, not a channel or playlist — summarize it instead?', { code: 'invalid', status: 400 });
      return sub();
    });
    const { raw } = setup(<Subscriptions />, { follow });
    fireEvent.input(screen.getByLabelText('Channel or playlist link'), { target: { value: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Follow' }));
    expect(await screen.findByText(/summarize it instead\?/)).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Channel or playlist link'), { target: { value: 'https://www.youtube.com/@curiousthings' } });
    fireEvent.input(screen.getByLabelText('Summarize the newest now'), { target: { value: '3' } });
    fireEvent.change(screen.getByLabelText('Check'), { target: { value: '360' } });
    fireEvent.click(screen.getByRole('button', { name: 'Follow' }));
    await waitFor(() => expect(raw.follow).toHaveBeenLastCalledWith({ url: 'https://www.youtube.com/@curiousthings', interval_minutes: 360, backfill: 3 }));
    expect(await screen.findByRole('listitem', { name: 'Curious Things' })).toBeTruthy();
  });

  it('pauses, edits, checks now and unfollows', async () => {
    const updateSubscription = vi.fn(async (_id: string, p: Partial<Subscription>) => sub({ ...p }));
    const checkSubscription = vi.fn(async () => ({ new_videos: 2, job_id: 'j9' }));
    const { raw, s } = setup(<Subscriptions />, { listSubscriptions: vi.fn(async () => [sub()]), updateSubscription, checkSubscription });
    await s.start();
    const row = await screen.findByRole('listitem', { name: 'Curious Things' });
    fireEvent.click(within(row).getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(raw.updateSubscription).toHaveBeenCalledWith('s1', { paused: true }));
    expect(await within(row).findByRole('button', { name: 'Resume' })).toBeTruthy();

    fireEvent.click(within(row).getByRole('button', { name: 'Edit…' }));
    fireEvent.change(within(row).getByLabelText('Style'), { target: { value: 'key_points' } });
    fireEvent.change(within(row).getByLabelText('Check'), { target: { value: '30' } });
    fireEvent.click(within(row).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(raw.updateSubscription).toHaveBeenLastCalledWith('s1', expect.objectContaining({ style: 'key_points', interval_minutes: 30 })));

    fireEvent.click(within(row).getByRole('button', { name: 'Check now' }));
    await waitFor(() => expect(raw.checkSubscription).toHaveBeenCalledWith('s1'));
    await waitFor(() => expect(s.toasts.get().map((t) => t.message)).toContain('2 new videos are being summarized.'));

    fireEvent.click(within(row).getByRole('button', { name: 'Unfollow…' }));
    fireEvent.click(within(row).getByRole('button', { name: 'Unfollow Curious Things' }));
    await waitFor(() => expect(raw.unfollow).toHaveBeenCalledWith('s1'));
    await waitFor(() => expect(screen.queryByRole('listitem', { name: 'Curious Things' })).toBeNull());
    expect(s.toasts.get().some((t) => /Its summaries stay in your library/.test(t.message))).toBe(true);
  });
});

describe('pictures and removal events', () => {
  it('shows the cached picture as an <img>, and the letter when none is cached or it fails to load', async () => {
    const list = [sub({ thumbnail_url: '/thumbnails/subscriptions/s1' }), sub({ id: 's2', title: 'Talks', thumbnail_url: null })];
    const { container } = setup(<Subscriptions />, { listSubscriptions: vi.fn(async () => list) });
    const row = await screen.findByRole('listitem', { name: 'Curious Things' });
    const img = row.querySelector('img.avatar') as HTMLImageElement;
    expect(img).toBeTruthy();
    expect(img.getAttribute('src')).toBe('/thumbnails/subscriptions/s1');
    const talks = screen.getByRole('listitem', { name: 'Talks' });
    expect(talks.querySelector('img')).toBeNull();
    expect(talks.querySelector('.avatar')?.textContent).toBe('T');
    fireEvent.error(img);
    await waitFor(() => expect(row.querySelector('img')).toBeNull());
    expect(row.querySelector('.avatar')?.textContent).toBe('C');
    expect(container.querySelectorAll('img').length).toBe(0);
  });

  it('the window drops a subscription on a `subscription` event with removed: true, and puts a changed one', async () => {
    const handlers = new Map<string, (d: unknown) => void>();
    const runtime = { EventsOn: vi.fn((name: string, cb: (d: unknown) => void) => { handlers.set(name, cb); return () => handlers.delete(name); }) };
    const ListSubscriptions = vi.fn(async () => ({ subscriptions: [sub(), sub({ id: 's2', title: 'Talks' })] }));
    const win = { go: { main: { App: { ListSubscriptions } } }, runtime } as unknown as Window;
    // The generated bindings call window.go.main.App.
    (window as unknown as { go?: unknown }).go = (win as unknown as { go: unknown }).go;
    const store = createSubscriptions(createTransport(win));
    await store.load();
    expect(store.get().list.map((x) => x.id)).toEqual(['s1', 's2']);
    handlers.get('subscription')!(JSON.stringify(sub({ thumbnail_url: '/thumbnails/subscriptions/s1' })));
    expect(store.get().list[0]!.thumbnail_url).toBe('/thumbnails/subscriptions/s1');
    handlers.get('subscription')!({ ...sub({ id: 's2', title: 'Talks' }), removed: true });
    expect(store.get().list.map((x) => x.id)).toEqual(['s1']); // at once, before any reload
    store.dispose();
    delete (window as unknown as { go?: unknown }).go;
  });
});

describe('the picture after a follow, in the browser (no subscription events)', () => {
  it('reloads the list until the subscription has its picture, then stops', async () => {
    vi.useFakeTimers();
    try {
      const lists = [[sub({ thumbnail_url: null })], [sub({ thumbnail_url: '/thumbnails/subscriptions/s1' })]];
      const listSubscriptions = vi.fn(async () => lists[Math.min(listSubscriptions.mock.calls.length - 1, 1)]!);
      const t = { follow: vi.fn(async () => sub({ thumbnail_url: null })), listSubscriptions } as unknown as Transport;
      const store = createSubscriptions(t);
      await store.follow({ url: 'https://www.youtube.com/@curious' });
      expect(store.get().list[0]!.thumbnail_url).toBeNull();
      await vi.advanceTimersByTimeAsync(PICTURE_RELOADS_MS[0]!);
      expect(listSubscriptions).toHaveBeenCalledTimes(1);
      expect(store.get().list[0]!.thumbnail_url).toBeNull(); // not there yet: wait again
      await vi.advanceTimersByTimeAsync(PICTURE_RELOADS_MS[1]!);
      expect(listSubscriptions).toHaveBeenCalledTimes(2);
      expect(store.get().list[0]!.thumbnail_url).toBe('/thumbnails/subscriptions/s1');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(listSubscriptions).toHaveBeenCalledTimes(2); // it has its picture: no more reloads
      store.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not reload when the transport sends subscription events (the window)', async () => {
    vi.useFakeTimers();
    try {
      const listSubscriptions = vi.fn(async () => [sub()]);
      const t = { follow: vi.fn(async () => sub({ thumbnail_url: null })), listSubscriptions,
        onSubscriptionEvent: () => () => {} } as unknown as Transport;
      const store = createSubscriptions(t);
      await store.follow({ url: 'https://www.youtube.com/@curious' });
      await vi.advanceTimersByTimeAsync(60_000);
      expect(listSubscriptions).not.toHaveBeenCalled();
      store.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('Library', () => {
  it('filters by subscription and new, marks new cards, clears New when opened, and offers Follow channel', async () => {
    const item = makeVideo('octopus0001', { channel: 'Curious Things', channel_id: 'UCe2echannel000000000001', summary: 'x'.repeat(700) });
    const cachedSummaries = vi.fn(async () => ({ summaries: [item], total: 1, page: 1, per_page: 10, total_pages: 1 }));
    const { raw } = setup(<Library />, {
      cachedSummaries, listSubscriptions: vi.fn(async () => [sub({ new_count: 1 })]), follow: vi.fn(async () => sub()),
    });
    const card = await screen.findByRole('article', { name: /Video octopus0001/ });
    expect(await within(card).findByText('New')).toBeTruthy();
    expect(raw.cachedSummaries).toHaveBeenCalledWith({ page: 1, perPage: 100, new: true });

    fireEvent.change(await screen.findByLabelText('Subscription'), { target: { value: 's1' } });
    await waitFor(() => expect(raw.cachedSummaries).toHaveBeenCalledWith(expect.objectContaining({ subscription: 's1' })));
    fireEvent.click(screen.getByLabelText('New only'));
    await waitFor(() => expect(raw.cachedSummaries).toHaveBeenCalledWith(expect.objectContaining({ subscription: 's1', new: true })));

    fireEvent.click(within(card).getByRole('button', { name: 'Show more' }));
    await waitFor(() => expect(raw.markOpened).toHaveBeenCalledWith('octopus0001'));

    fireEvent.click(within(card).getByRole('button', { name: 'Follow Curious Things' }));
    await waitFor(() => expect(raw.follow).toHaveBeenCalledWith({ url: 'https://www.youtube.com/channel/UCe2echannel000000000001' }));
  });
});

describe('Library search with filters', () => {
  it('applies the subscription and New filters to a typed search, through the transport', async () => {
    const a = makeVideo('octopus0001', { channel: 'Curious Things', summary: 'octopus arms' });
    const b = makeVideo('octopus0002', { channel: 'Other', summary: 'octopus hearts' });
    const searchSummaries = vi.fn(async (_q: string, f?: { subscription?: string; new?: boolean }) => (f?.subscription || f?.new ? [a] : [a, b]));
    const cards = () => screen.queryAllByRole('article').map((x) => x.getAttribute('aria-labelledby'));
    const { raw } = setup(<Library />, {
      searchSummaries, listSubscriptions: vi.fn(async () => [sub({ new_count: 1 })]),
      cachedSummaries: vi.fn(async () => ({ summaries: [a, b], total: 2, page: 1, per_page: 10, total_pages: 1 })),
    });
    fireEvent.input(await screen.findByLabelText('Search summaries'), { target: { value: 'octopus' } });
    await waitFor(() => expect(raw.searchSummaries).toHaveBeenCalledWith('octopus'));
    await waitFor(() => expect(cards()).toEqual(['t-octopus0001', 't-octopus0002']));

    fireEvent.change(await screen.findByLabelText('Subscription'), { target: { value: 's1' } });
    await waitFor(() => expect(raw.searchSummaries).toHaveBeenLastCalledWith('octopus', { subscription: 's1' }));
    await waitFor(() => expect(cards()).toEqual(['t-octopus0001']));

    fireEvent.click(screen.getByLabelText('New only'));
    await waitFor(() => expect(raw.searchSummaries).toHaveBeenLastCalledWith('octopus', { subscription: 's1', new: true }));
    // The search text stays; paging without a query never ran with it.
    expect((screen.getByLabelText('Search summaries') as HTMLInputElement).value).toBe('octopus');
  });
});

describe('App', () => {
  it('has a Subscriptions screen and shows the new count in the title', async () => {
    const { s } = setup(<App />, { listSubscriptions: vi.fn(async () => [sub({ new_count: 2 }), sub({ id: 's2', title: 'Talks', new_count: 1 })]) });
    await s.start();
    await waitFor(() => expect(document.title).toBe('YouTube Summarizer (3 new)'));
    fireEvent.click(screen.getByRole('link', { name: /Subscriptions/ }));
    location.hash = '#/subscriptions';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(await screen.findByRole('heading', { name: 'Subscriptions' })).toBeTruthy();
  });
});
