import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/lib/api/errors';
import { applyFilters, createLibrary, sortItems } from '../src/stores/library';
import { createPrefs, loadPrefs } from '../src/stores/prefs';
import { fakeTransport } from './fake-transport';
import { flush, makeVideo } from './helpers';

beforeEach(() => {
  localStorage.clear();
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('library store', () => {
  it('pages on the server; the page size is remembered', async () => {
    const { t, raw } = fakeTransport({
      cachedSummaries: vi.fn(async () => ({ summaries: [makeVideo('a'), makeVideo('b', { channel: 'Other' })], total: 45, page: 1, per_page: 20, total_pages: 3 })),
    });
    const prefs = createPrefs(loadPrefs());
    const lib = createLibrary(t, prefs);
    lib.setPerPage(20);
    await flush();
    expect(raw.cachedSummaries).toHaveBeenLastCalledWith({ page: 1, perPage: 20, sort: 'newest' });
    expect(lib.get().totalPages).toBe(3);
    expect(lib.get().channels).toEqual(['Chan', 'Other']);
    expect(loadPrefs().perPage).toBe(20);
    lib.setFilter({ channel: 'Other' });
    await flush();
    expect(raw.cachedSummaries).toHaveBeenLastCalledWith({ page: 1, perPage: 20, sort: 'newest', channel: 'Other' });
  });

  it('search as you type is debounced, and only the last answer counts', async () => {
    const { t, raw } = fakeTransport({ searchSummaries: vi.fn(async (q: string) => [makeVideo(q.slice(0, 11).padEnd(11, 'x'))]) });
    const lib = createLibrary(t, createPrefs(loadPrefs()), { debounceMs: 250 });
    lib.setQuery('b');
    lib.setQuery('ba');
    lib.setQuery('banana');
    await vi.advanceTimersByTimeAsync(249);
    expect(raw.searchSummaries).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(raw.searchSummaries).toHaveBeenCalledTimes(1);
    expect(raw.searchSummaries).toHaveBeenCalledWith('banana');
    expect(lib.get().items.map((i) => i.video_id)).toEqual(['bananaxxxxx']);
    expect(lib.get().sort).toBe('relevance');
  });

  it('reads the indexing backlog with a search, again while it lasts, and searches again when it is gone', async () => {
    let pending = 41200;
    const { t, raw } = fakeTransport({
      searchSummaries: vi.fn(async () => (pending ? [makeVideo('a')] : [makeVideo('a'), makeVideo('b')])),
      libraryStatus: vi.fn(async () => ({ indexing_pending: pending, indexing_seconds: pending / 1000 })),
    });
    const lib = createLibrary(t, createPrefs(loadPrefs()), { debounceMs: 0, statusPollMs: 1000 });
    lib.setQuery('octopus');
    await vi.advanceTimersByTimeAsync(0);
    await flush();
    expect(lib.get().indexingPending).toBe(41200);
    expect(lib.get().total).toBe(1);
    pending = 12000;
    await vi.advanceTimersByTimeAsync(1000);
    await flush();
    expect(lib.get().indexingPending).toBe(12000);
    expect(raw.searchSummaries).toHaveBeenCalledTimes(1);
    pending = 0;
    await vi.advanceTimersByTimeAsync(1000);
    await flush();
    expect(lib.get().indexingPending).toBe(0);
    expect(raw.searchSummaries).toHaveBeenCalledTimes(2);
    expect(lib.get().total).toBe(2);
    // Nothing to wait for any more: no more reads.
    const reads = raw.libraryStatus.mock.calls.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(raw.libraryStatus.mock.calls.length).toBe(reads);
    lib.dispose();
  });

  it('a failed backlog read is tried again, each time a little later, and the search still runs again at the end', async () => {
    // The search's own read says 41,200; the next two reads fail; the third says 0.
    const answers: (number | Error)[] = [41200, new Error('busy'), new Error('busy'), 0];
    const { t, raw } = fakeTransport({
      searchSummaries: vi.fn(async () => [makeVideo('a')]),
      libraryStatus: vi.fn(async () => {
        const a = answers.shift() ?? 0;
        if (a instanceof Error) throw new ApiError('The index could not be read.', { code: 'internal', status: 500 });
        return { indexing_pending: a, indexing_seconds: a / 1000 };
      }),
    });
    const lib = createLibrary(t, createPrefs(loadPrefs()), { debounceMs: 0, statusPollMs: 1000 });
    lib.setQuery('octopus');
    await vi.advanceTimersByTimeAsync(0);
    await flush();
    expect(raw.libraryStatus).toHaveBeenCalledTimes(1);
    expect(lib.get().indexingPending).toBe(41200);
    await vi.advanceTimersByTimeAsync(1000); // the poll: fails
    expect(raw.libraryStatus).toHaveBeenCalledTimes(2);
    expect(lib.get().indexingPending).toBe(41200);
    await vi.advanceTimersByTimeAsync(1000); // first retry (1 s): fails
    expect(raw.libraryStatus).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(1999); // the next waits longer (2 s)
    expect(raw.libraryStatus).toHaveBeenCalledTimes(3);
    expect(raw.searchSummaries).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(raw.libraryStatus).toHaveBeenCalledTimes(5); // the 4th said 0; the search again read it once more
    expect(lib.get().indexingPending).toBe(0);
    expect(raw.searchSummaries).toHaveBeenCalledTimes(2);
    lib.dispose();
  });

  it('disposed while a backlog read is on its way: no read after it, whether it answers or fails', async () => {
    for (const fails of [false, true]) {
      let answer: (v: { indexing_pending: number; indexing_seconds: number }) => void = () => {};
      let refuse: (e: unknown) => void = () => {};
      let calls = 0;
      const { t, raw } = fakeTransport({
        searchSummaries: vi.fn(async () => [makeVideo('a')]),
        libraryStatus: vi.fn(() => {
          if (++calls === 1) return Promise.resolve({ indexing_pending: 41200, indexing_seconds: 41 }); // the search's own read
          return new Promise((res, rej) => { answer = res; refuse = rej; });
        }),
      });
      const lib = createLibrary(t, createPrefs(loadPrefs()), { debounceMs: 0, statusPollMs: 1000 });
      lib.setQuery('octopus');
      await vi.advanceTimersByTimeAsync(0);
      await flush();
      await vi.advanceTimersByTimeAsync(1000); // the poll's read, left waiting
      expect(raw.libraryStatus).toHaveBeenCalledTimes(2);
      lib.dispose();
      if (fails) refuse(new ApiError('The index could not be read.', { code: 'internal', status: 500 }));
      else answer({ indexing_pending: 12000, indexing_seconds: 12 });
      await flush();
      await vi.advanceTimersByTimeAsync(120_000);
      expect(raw.libraryStatus).toHaveBeenCalledTimes(2);
      expect(vi.getTimerCount()).toBe(0);
    }
  });

  it('search results page locally', async () => {
    const many = Array.from({ length: 25 }, (_, i) => makeVideo(`v${String(i).padStart(10, '0')}`));
    const { t } = fakeTransport({ searchSummaries: vi.fn(async () => many) });
    const lib = createLibrary(t, createPrefs(loadPrefs()), { debounceMs: 0 });
    lib.setQuery('x');
    await vi.advanceTimersByTimeAsync(0);
    await flush();
    expect(lib.get().total).toBe(25);
    expect(lib.get().totalPages).toBe(3);
    lib.setPage(3);
    await flush();
    expect(lib.get().items).toHaveLength(5);
  });

  it('delete waits for the undo delay; undo keeps the summary', async () => {
    const { t, raw } = fakeTransport();
    const lib = createLibrary(t, createPrefs(loadPrefs()), { deleteDelayMs: 6000 });
    const undo = lib.scheduleDelete(makeVideo('a'));
    expect(lib.get().pendingDelete).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(3000);
    undo();
    expect(lib.get().pendingDelete).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(raw.deleteSummary).not.toHaveBeenCalled();

    const done = vi.fn();
    lib.scheduleDelete(makeVideo('b'), done);
    await vi.advanceTimersByTimeAsync(5999);
    expect(raw.deleteSummary).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(raw.deleteSummary).toHaveBeenCalledWith('b');
    expect(done).toHaveBeenCalledWith(null);
  });

  it('a failed delete brings the item back and says why', async () => {
    const { t } = fakeTransport({ deleteSummary: vi.fn(async () => Promise.reject(new ApiError('No such summary.'))) });
    const lib = createLibrary(t, createPrefs(loadPrefs()), { deleteDelayMs: 10 });
    const done = vi.fn();
    lib.scheduleDelete(makeVideo('a'), done);
    await vi.advanceTimersByTimeAsync(10);
    await flush();
    expect(done).toHaveBeenCalledWith('No such summary.');
    expect(lib.get().pendingDelete).toEqual([]);
  });

  it('offline: a failed refresh keeps the items and shows the sentence', async () => {
    const { t, raw } = fakeTransport({ cachedSummaries: vi.fn(async () => ({ summaries: [makeVideo('a')], total: 1, page: 1, per_page: 10, total_pages: 1 })) });
    const lib = createLibrary(t, createPrefs(loadPrefs()));
    await lib.refresh();
    raw.cachedSummaries.mockRejectedValueOnce(new ApiError('Cannot reach the summarizer service.'));
    await lib.refresh();
    expect(lib.get().items).toHaveLength(1);
    expect(lib.get().error).toBe('Cannot reach the summarizer service.');
  });
});

describe('filters and sorting', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  const items = [
    makeVideo('old', { summarized_at: '2025-01-01T00:00:00Z', title: 'B', model_used: 'gpt-5' }),
    makeVideo('new', { summarized_at: '2026-11-28T11:00:00Z', title: 'A' }),
  ];
  it('date and model filters', () => {
    expect(applyFilters(items, { channel: '', model: '', since: 'day' }, now).map((i) => i.video_id)).toEqual(['new']);
    expect(applyFilters(items, { channel: '', model: 'gpt-5', since: '' }, now).map((i) => i.video_id)).toEqual(['old']);
  });
  it('sorts', () => {
    expect(sortItems(items, 'newest').map((i) => i.video_id)).toEqual(['new', 'old']);
    expect(sortItems(items, 'oldest').map((i) => i.video_id)).toEqual(['old', 'new']);
    expect(sortItems(items, 'title').map((i) => i.title)).toEqual(['A', 'B']);
  });
});
