import { useEffect, useRef, useState } from 'preact/hooks';
import { toApiError } from '../lib/api/errors';
import { useStore } from '../lib/store';
import { PAGE_SIZES, type SortKey } from '../stores/prefs';
import type { Since } from '../stores/library';
import { subscriptionsFor } from '../stores/subscriptions';
import { useServices } from './context';
import { AskBox } from './AskBox';
import { VideoCard } from './VideoCard';

export function Library() {
  const s = useServices();
  const st = useStore(s.library);
  const search = useRef<HTMLInputElement>(null);
  useEffect(() => void s.library.refresh(), []);
  const subs = useStore(subscriptionsFor(s.transport));
  useEffect(() => { if (!subs.loaded) void subscriptionsFor(s.transport).load(); }, []);
  // Which summaries are new (found by a subscription, not opened yet): their cards say so.
  const [newIds, setNewIds] = useState<Set<string>>(new Set());
  const anyNew = subs.list.some((x) => x.new_count > 0);
  useEffect(() => {
    if (!anyNew) { setNewIds(new Set()); return; }
    s.transport.cachedSummaries({ page: 1, perPage: 100, new: true })
      .then((p) => setNewIds(new Set((p.summaries ?? []).map((i) => i.video_id))), () => {});
  }, [st.items, anyNew]);
  const onOpened = (id: string) => {
    setNewIds((prev) => { const n = new Set(prev); n.delete(id); return n; });
    void subscriptionsFor(s.transport).load();
    if (st.newOnly) void s.library.refresh();
  };
  const hidden = new Set(st.pendingDelete);
  const items = st.items.filter((i) => !hidden.has(i.video_id));
  const q = st.query.trim();
  // What screen readers hear of the indexing backlog: a fixed sentence when it starts to matter
  // (a search while summaries are still being indexed) and one when it ends, not each count.
  const indexing = Boolean(q) && st.indexingPending > 0;
  const [indexingNote, setIndexingNote] = useState('');
  const sawIndexing = useRef(false);
  useEffect(() => {
    if (indexing) {
      sawIndexing.current = true;
      setIndexingNote('Still indexing summaries: search results may be incomplete.');
    } else if (sawIndexing.current) {
      sawIndexing.current = false;
      setIndexingNote(st.indexingPending === 0 ? 'Indexing finished: search results are complete.' : '');
    }
  }, [indexing]);
  const from = st.total ? (st.page - 1) * st.perPage + 1 : 0;
  const to = Math.min(st.total, st.page * st.perPage);
  const playable = items.filter((i) => i.summary);

  const exportAll = async (fmt: 'md' | 'json') => {
    try {
      s.toasts.show(await s.transport.exportLibrary(fmt), { kind: 'success' });
    } catch (e) {
      s.toasts.show(toApiError(e).message, { kind: 'error' });
    }
  };

  return (
    <section class="panel" aria-labelledby="lib-h">
      <h2 id="lib-h">Library</h2>
      <div class="toolbar" role="search">
        <label for="lib-search" class="grow">
          Search summaries
          <input id="lib-search" ref={search} type="search" value={st.query} placeholder="Words in titles, channels or summaries"
            onInput={(e) => s.library.setQuery(e.currentTarget.value)} autoComplete="off" />
        </label>
        <label for="lib-sort">
          Sort
          <select id="lib-sort" value={st.sort} onChange={(e) => s.library.setSort(e.currentTarget.value as SortKey)}>
            {q && <option value="relevance">Best match</option>}
            <option value="newest">Newest</option>
            <option value="oldest">Oldest</option>
            <option value="title">Title</option>
            <option value="channel">Channel</option>
          </select>
        </label>
        <label for="lib-channel">
          Channel
          <select id="lib-channel" value={st.channel} onChange={(e) => s.library.setFilter({ channel: e.currentTarget.value })}>
            <option value="">All</option>
            {st.channels.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
        <label for="lib-model">
          Model
          <select id="lib-model" value={st.model} onChange={(e) => s.library.setFilter({ model: e.currentTarget.value })}>
            <option value="">All</option>
            {st.models.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </label>
        {subs.list.length > 0 && (
          <label for="lib-sub">
            Subscription
            <select id="lib-sub" value={st.subscription} onChange={(e) => s.library.setFilter({ subscription: e.currentTarget.value })}>
              <option value="">All</option>
              {subs.list.map((x) => <option key={x.id} value={x.id}>{x.title || x.source_id}</option>)}
            </select>
          </label>
        )}
        <label for="lib-new" class="check">
          <input id="lib-new" type="checkbox" checked={st.newOnly} onChange={(e) => s.library.setFilter({ newOnly: e.currentTarget.checked })} />
          New only
        </label>
        <label for="lib-since">
          Date
          <select id="lib-since" value={st.since} onChange={(e) => s.library.setFilter({ since: e.currentTarget.value as Since })}>
            <option value="">Any time</option>
            <option value="day">Last 24 hours</option>
            <option value="week">Last week</option>
            <option value="month">Last month</option>
            <option value="year">Last year</option>
          </select>
        </label>
      </div>
      <div class="row between">
        <p class="muted" role="status" aria-live="polite">
          {st.loading ? 'Loading…' : q ? `${st.total} found for “${q}”. ` : ''}
          {!st.loading && st.total > 0 && `Showing ${from}–${to} of ${st.total}.`}
        </p>
        <div class="row">
          <button type="button" class="btn btn-small" disabled={!playable.length} onClick={() => playable[0] && void s.player.play(playable[0], playable)}>
            ▶ Play all
          </button>
          <button type="button" class="btn btn-small btn-quiet" onClick={() => void exportAll('md')}>Export library (Markdown)</button>
          <button type="button" class="btn btn-small btn-quiet" onClick={() => void exportAll('json')}>Export library (JSON)</button>
        </div>
      </div>
      <p class="sr-only" aria-live="polite" data-testid="indexing-live">{indexingNote}</p>
      {q && !st.loading && st.indexingPending > 0 && (
        <p class="hint">
          Still indexing {st.indexingPending.toLocaleString('en-US')} {st.indexingPending === 1 ? 'summary' : 'summaries'} — results may be incomplete.
        </p>
      )}
      {st.total > 0 && <AskBox />}
      {st.error && (
        <p class="error" role="alert">
          {st.error} <button type="button" class="btn btn-small" onClick={() => void s.library.refresh()}>Try again</button>
        </p>
      )}
      {!st.loading && !st.error && !items.length && (
        <p class="empty">
          {!q
            ? 'No summaries yet. Summarize a video and it will be kept here, searchable offline.'
            : st.indexingPending > 0
              ? `Nothing matches “${q}” yet; this search runs again when the index has caught up.`
              : `No summaries match “${q}”.`}
        </p>
      )}
      <div class="cards" aria-busy={st.loading}>
        {items.map((it) => <VideoCard key={it.video_id} item={it} queue={playable} highlight={q} fold offerFollow
          isNew={newIds.has(it.video_id)} onOpened={onOpened} />)}
      </div>
      <nav class="pager" aria-label="Pages">
        <button type="button" class="btn btn-small" disabled={st.page <= 1} onClick={() => s.library.setPage(st.page - 1)}>‹ Previous</button>
        <span>Page {st.page} of {st.totalPages}</span>
        <button type="button" class="btn btn-small" disabled={st.page >= st.totalPages} onClick={() => s.library.setPage(st.page + 1)}>Next ›</button>
        <label for="lib-per">
          Per page
          <select id="lib-per" value={String(st.perPage)} onChange={(e) => s.library.setPerPage(Number(e.currentTarget.value))}>
            {PAGE_SIZES.map((n) => <option key={n} value={String(n)}>{n}</option>)}
          </select>
        </label>
      </nav>
    </section>
  );
}
