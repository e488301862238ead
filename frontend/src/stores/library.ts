import { toApiError } from '../lib/api/errors';
import { backoff } from '../lib/backoff';
import type { Transport } from '../lib/api/transport';
import type { VideoItem } from '../lib/api/types';
import { createStore, type Store } from '../lib/store';
import type { PrefsStore, SortKey } from './prefs';

export type Since = '' | 'day' | 'week' | 'month' | 'year';

export interface LibraryState {
  query: string;
  page: number;
  perPage: number;
  sort: SortKey | 'relevance';
  channel: string;
  model: string;
  since: Since;
  /** Only the videos this subscription found ('' for all). */
  subscription: string;
  /** Only the summaries marked new (from subscriptions, not opened yet). */
  newOnly: boolean;
  items: VideoItem[];
  total: number;
  totalPages: number;
  loading: boolean;
  error: string | null;
  /** Video ids whose delete is pending (hidden, undo possible). */
  pendingDelete: string[];
  /** Filter choices seen so far. */
  channels: string[];
  models: string[];
  /**
   * Saved summaries the search index is still taking in (after a large import): a search may
   * miss them until this is 0. Read with each search, and again every few seconds while it is
   * not 0 (the search runs again when it reaches 0).
   */
  indexingPending: number;
}

export interface LibraryStore extends Store<LibraryState> {
  refresh(): Promise<void>;
  /** Search as you type: debounced. */
  setQuery(q: string): void;
  setPage(p: number): void;
  setPerPage(n: number): void;
  setSort(s: SortKey | 'relevance'): void;
  setFilter(f: Partial<Pick<LibraryState, 'channel' | 'model' | 'since' | 'subscription' | 'newOnly'>>): void;
  /**
   * Hides the item at once and deletes it for real after delayMs unless the returned
   * undo function is called first. onDone reports the outcome.
   */
  scheduleDelete(item: VideoItem, onDone?: (err: string | null) => void): () => void;
  /** Runs every pending delete now (page unload). */
  flushDeletes(): void;
  dispose(): void;
}

export interface LibraryOptions {
  debounceMs?: number;
  deleteDelayMs?: number;
  /** How often the indexing backlog is read again while a search shows it (default 3 s). */
  statusPollMs?: number;
  now?: () => number;
}

const SINCE_MS: Record<Exclude<Since, ''>, number> = { day: 864e5, week: 7 * 864e5, month: 31 * 864e5, year: 366 * 864e5 };

export function applyFilters(items: VideoItem[], st: Pick<LibraryState, 'channel' | 'model' | 'since'>, nowMs: number): VideoItem[] {
  return items.filter((it) => {
    if (st.channel && it.channel !== st.channel) return false;
    if (st.model && it.model_used !== st.model) return false;
    if (st.since) {
      const t = it.summarized_at ? Date.parse(it.summarized_at) : NaN;
      if (!Number.isFinite(t) || nowMs - t > SINCE_MS[st.since]) return false;
    }
    return true;
  });
}

export function sortItems(items: VideoItem[], sort: LibraryState['sort']): VideoItem[] {
  if (sort === 'relevance') return items;
  const time = (i: VideoItem) => (i.summarized_at ? Date.parse(i.summarized_at) || 0 : 0);
  const cmp: Record<SortKey, (a: VideoItem, b: VideoItem) => number> = {
    newest: (a, b) => time(b) - time(a),
    oldest: (a, b) => time(a) - time(b),
    title: (a, b) => a.title.localeCompare(b.title),
    channel: (a, b) => (a.channel ?? '').localeCompare(b.channel ?? '') || time(b) - time(a),
  };
  return [...items].sort(cmp[sort]);
}

const merge = (a: string[], more: (string | undefined)[]) =>
  [...new Set([...a, ...more.filter((x): x is string => Boolean(x))])].sort((x, y) => x.localeCompare(y));

/**
 * createLibrary: the summaries list. Without a query it pages on the server (sort, channel
 * and model filters go to the server; the date filter applies to the page); with a query it
 * searches (debounced; the subscription and "new" filters go with the search) and pages,
 * filters and sorts the results locally.
 */
export function createLibrary(t: Transport, prefs: PrefsStore, o: LibraryOptions = {}): LibraryStore {
  const now = o.now ?? (() => Date.now());
  const s = createStore<LibraryState>({
    query: '', page: 1, perPage: prefs.get().perPage, sort: prefs.get().sort, channel: '', model: '', since: '', subscription: '', newOnly: false,
    items: [], total: 0, totalPages: 1, loading: false, error: null, pendingDelete: [], channels: [], models: [],
    indexingPending: 0,
  });
  let seq = 0;
  let searchCache: { q: string; items: VideoItem[] } | null = null;
  let debounce: ReturnType<typeof setTimeout> | undefined;
  const pending = new Map<string, { timer: ReturnType<typeof setTimeout>; run: () => void }>();
  let statusTimer: ReturnType<typeof setTimeout> | undefined;

  let statusFailures = 0;
  let disposed = false;

  // While the index is behind, read its backlog again now and then; when it has caught up,
  // search again (the results were incomplete). A failed read is tried again, later each time
  // (backoff). Stops when the search box is emptied.
  const watchIndexing = (wait = o.statusPollMs ?? 3000) => {
    if (disposed || statusTimer !== undefined || !s.get().indexingPending) return;
    statusTimer = setTimeout(async () => {
      statusTimer = undefined;
      if (!s.get().query.trim()) return;
      const st = await t.libraryStatus().catch(() => null);
      if (disposed || !s.get().query.trim()) return;
      if (!st) {
        statusFailures++;
        watchIndexing(Math.max(o.statusPollMs ?? 3000, backoff(statusFailures, 30_000)));
        return;
      }
      statusFailures = 0;
      const was = s.get().indexingPending;
      s.set({ ...s.get(), indexingPending: st.indexing_pending });
      if (was > 0 && st.indexing_pending === 0) {
        searchCache = null;
        void refresh();
      } else {
        watchIndexing();
      }
    }, wait);
  };

  const refresh = async () => {
    const my = ++seq;
    const st = s.get();
    s.set({ ...st, loading: true });
    try {
      const q = st.query.trim();
      if (q) {
        // The subscription and "new" filters go to the server with the search (they are sets of
        // videos the page cannot know); the cache is per query and filters.
        const filter = { ...(st.subscription ? { subscription: st.subscription } : {}), ...(st.newOnly ? { new: true } : {}) };
        const key = JSON.stringify([q, st.subscription, st.newOnly]);
        const status = t.libraryStatus().catch(() => null);
        const all = searchCache?.q === key ? searchCache.items
          : await (filter.subscription || filter.new ? t.searchSummaries(q, filter) : t.searchSummaries(q));
        const indexing = await status;
        if (my !== seq) return;
        if (indexing) statusFailures = 0;
        searchCache = { q: key, items: all };
        const cur = s.get();
        const hidden = new Set(cur.pendingDelete);
        const filtered = sortItems(applyFilters(all, cur, now()), cur.sort).filter((i) => !hidden.has(i.video_id));
        const totalPages = Math.max(1, Math.ceil(filtered.length / cur.perPage));
        const page = Math.min(cur.page, totalPages);
        s.set({
          ...cur, page, loading: false, error: null, total: filtered.length, totalPages,
          items: filtered.slice((page - 1) * cur.perPage, page * cur.perPage),
          channels: merge(cur.channels, all.map((i) => i.channel)), models: merge(cur.models, all.map((i) => i.model_used)),
          indexingPending: indexing ? indexing.indexing_pending : cur.indexingPending,
        });
        watchIndexing();
      } else {
        const sort = st.sort === 'relevance' ? 'newest' : st.sort;
        const res = await t.cachedSummaries({
          page: st.page, perPage: st.perPage, sort,
          ...(st.channel ? { channel: st.channel } : {}), ...(st.model ? { model: st.model } : {}),
          ...(st.subscription ? { subscription: st.subscription } : {}), ...(st.newOnly ? { new: true } : {}),
        });
        if (my !== seq) return;
        const cur = s.get();
        const list = res.summaries ?? [];
        const totalPages = Math.max(1, res.total_pages || Math.ceil((res.total || 0) / cur.perPage));
        s.set({
          ...cur, loading: false, error: null, items: applyFilters(list, cur, now()), total: res.total ?? list.length,
          totalPages, page: Math.min(cur.page, totalPages),
          channels: merge(cur.channels, list.map((i) => i.channel)), models: merge(cur.models, list.map((i) => i.model_used)),
        });
        if (cur.page > totalPages) void refresh();
      }
    } catch (e) {
      if (my !== seq) return;
      s.set({ ...s.get(), loading: false, error: toApiError(e).message });
    }
  };

  const change = (patch: Partial<LibraryState>) => {
    s.set({ ...s.get(), ...patch });
    void refresh();
  };

  return {
    ...s,
    refresh: () => {
      searchCache = null;
      return refresh();
    },
    setQuery(q) {
      const wasQuery = Boolean(s.get().query.trim());
      const sort: LibraryState['sort'] = q.trim() ? (wasQuery ? s.get().sort : 'relevance') : prefs.get().sort;
      s.set({ ...s.get(), query: q, page: 1, sort });
      if (debounce !== undefined) clearTimeout(debounce);
      debounce = setTimeout(() => {
        debounce = undefined;
        searchCache = null;
        void refresh();
      }, o.debounceMs ?? 250);
    },
    setPage(p) {
      change({ page: Math.max(1, p) });
    },
    setPerPage(n) {
      prefs.update({ perPage: n });
      change({ perPage: n, page: 1 });
    },
    setSort(sort) {
      if (sort !== 'relevance') prefs.update({ sort });
      change({ sort, page: 1 });
    },
    setFilter(f) {
      change({ ...f, page: 1 });
    },
    scheduleDelete(item, onDone) {
      const id = item.video_id;
      const hide = (on: boolean) =>
        s.set((st) => ({
          ...st,
          pendingDelete: on ? [...new Set([...st.pendingDelete, id])] : st.pendingDelete.filter((x) => x !== id),
        }));
      hide(true);
      const run = () => {
        pending.delete(id);
        t.deleteSummary(id).then(
          () => {
            hide(false);
            if (searchCache) searchCache = { ...searchCache, items: searchCache.items.filter((i) => i.video_id !== id) };
            void refresh();
            onDone?.(null);
          },
          (e: unknown) => {
            hide(false);
            onDone?.(toApiError(e).message);
          },
        );
      };
      const timer = setTimeout(run, o.deleteDelayMs ?? 6000);
      pending.set(id, { timer, run });
      return () => {
        const p = pending.get(id);
        if (!p) return;
        clearTimeout(p.timer);
        pending.delete(id);
        hide(false);
      };
    },
    flushDeletes() {
      for (const p of [...pending.values()]) {
        clearTimeout(p.timer);
        p.run();
      }
    },
    dispose() {
      disposed = true;
      if (debounce !== undefined) clearTimeout(debounce);
      if (statusTimer !== undefined) clearTimeout(statusTimer);
    },
  };
}
