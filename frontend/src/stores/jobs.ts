import { ApiError, toApiError } from '../lib/api/errors';
import type { LinkState, Transport } from '../lib/api/transport';
import { isTerminal, type Job, type ResultItem, type SummarizeRequest, type VideoItem } from '../lib/api/types';
import { roughDuration } from '../lib/format';
import { createStore, type Store } from '../lib/store';

export interface LogEntry {
  at: number;
  text: string;
}

export interface JobView {
  job: Job;
  /** Summary text streamed so far, per video id, until the finished item arrives. */
  deltas: Record<string, string>;
  log: LogEntry[];
  minimized: boolean;
  link?: LinkState;
  /** A sync-mode answer shown as a finished job (it has no server record). */
  local?: boolean;
}

export interface JobsState {
  /** Newest first. */
  order: string[];
  byId: Record<string, JobView>;
  loaded: boolean;
  loadError: string | null;
}

export interface JobsStore extends Store<JobsState> {
  /** Loads recent jobs (those that survived a restart reappear) and follows active ones. */
  load(): Promise<void>;
  /** Starts a job; rejects with ApiError (shown by the form). Resolves to the job id. */
  submit(req: SummarizeRequest): Promise<string>;
  cancel(id: string): Promise<void>;
  /** Submits one failed link again with the job's options. */
  retry(id: string, url: string): Promise<string>;
  toggleMinimized(id: string): void;
  dismiss(id: string): void;
  /**
   * Lists recent jobs again and adds (and follows) unfinished ones this page does not know:
   * jobs started in another tab or by the CLI. Never rejects; a failed listing is ignored.
   */
  refresh(): Promise<void>;
  /**
   * Keeps finding jobs started elsewhere while the job list is shown: where the transport
   * pushes every job (the window) this is already done since load(); otherwise it refreshes
   * when the page becomes visible or focused again and every intervalMs (30 s) while visible.
   * Returns the function that stops it.
   */
  follow(env?: FollowEnv): () => void;
  /** Called once per job reaching a terminal status while we watch it. */
  onFinished(fn: (j: Job) => void): () => void;
  dispose(): void;
}

export interface FollowEnv {
  intervalMs?: number;
  /** Defaults to document and window. */
  doc?: Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'>;
  win?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
}

export interface JobsOptions {
  now?: () => number;
  /** Polite announcements for screen readers. */
  announce?: (text: string) => void;
  listLimit?: number;
}

/** Items done so far, flattened (playlists expanded). */
export function flatItems(results: ResultItem[]): (VideoItem | ResultItem)[] {
  const out: (VideoItem | ResultItem)[] = [];
  for (const r of results ?? []) {
    if (r.type === 'playlist' || r.type === 'channel') {
      if (r.error) out.push(r);
      out.push(...(r.summaries ?? []));
    } else out.push(r);
  }
  return out;
}

/** Seconds left, from the pace so far; null when there is no basis yet. */
export function estimateRemaining(job: Job, nowMs: number): number | null {
  if (isTerminal(job.status) || !job.started_at || job.progress <= 0 || job.total_items <= job.progress) return null;
  const started = Date.parse(job.started_at);
  if (Number.isNaN(started)) return null;
  const elapsed = Math.max(0, (nowMs - started) / 1000);
  return (elapsed / job.progress) * (job.total_items - job.progress);
}

export function percent(job: Job): number {
  if (job.status === 'completed') return 100;
  if (!job.total_items) return 0;
  return Math.max(0, Math.min(100, Math.round((job.progress / job.total_items) * 100)));
}

/** The sentence shown when a job ends. */
export function completionMessage(job: Job): string {
  const items = flatItems(job.results);
  const failed = items.filter((i) => i.error).length;
  const done = items.filter((i) => 'summary' in i && i.summary).length;
  const secs = job.started_at && job.completed_at ? (Date.parse(job.completed_at) - Date.parse(job.started_at)) / 1000 : NaN;
  const took = Number.isFinite(secs) && secs >= 0 ? ` in ${roughDuration(secs)}` : '';
  switch (job.status) {
    case 'completed':
      if (!failed) return `Done: ${done} ${done === 1 ? 'summary' : 'summaries'}${took}.`;
      return `Finished${took}: ${done} ${done === 1 ? 'summary' : 'summaries'}, ${failed} failed.`;
    case 'cancelled':
      return `Cancelled after ${job.progress} of ${job.total_items || '?'} videos.`;
    case 'failed':
      return job.error ?? 'The job could not run.';
    default:
      return '';
  }
}

function diffLog(prev: Job | undefined, next: Job, at: number): LogEntry[] {
  const log: LogEntry[] = [];
  if (!prev || prev.status !== next.status) log.push({ at, text: `Status: ${next.status}.` });
  if (next.current_item && next.current_item !== prev?.current_item) log.push({ at, text: `Working on ${next.current_item}` });
  const before = new Set(flatItems(prev?.results ?? []).map(keyOf));
  for (const it of flatItems(next.results)) {
    const k = keyOf(it);
    if (before.has(k)) continue;
    if (it.error) log.push({ at, text: `Failed: ${labelOf(it)} — ${it.error}` });
    else if ('summary' in it && it.summary) log.push({ at, text: `Summarized: ${labelOf(it)}${it.source === 'cache' ? ' (from the library)' : ''}` });
    else if (it.type === 'playlist') log.push({ at, text: `Playlist: ${it.title} (${it.summaries?.length ?? 0} videos so far)` });
    else if (it.type === 'channel') log.push({ at, text: `Channel: ${it.title} (${it.summaries?.length ?? 0} videos so far)` });
  }
  if (next.error && next.error !== prev?.error) log.push({ at, text: next.error });
  return log;
}

function keyOf(it: VideoItem | ResultItem): string {
  if (it.type === 'playlist') return `p:${it.playlist_id}:${it.error ?? ''}`;
  if (it.type === 'channel') return `c:${it.channel_id}:${it.error ?? ''}`;
  if (it.type === 'error') return `e:${it.url}`;
  return `v:${it.video_id}:${it.summary ? 's' : 'e'}`;
}
function labelOf(it: VideoItem | ResultItem): string {
  if (it.type === 'error') return it.url;
  return it.title || ('video_id' in it ? it.video_id : '');
}

let localSeq = 0;

export function createJobs(t: Transport, o: JobsOptions = {}): JobsStore {
  const now = o.now ?? (() => Date.now());
  const s = createStore<JobsState>({ order: [], byId: {}, loaded: false, loadError: null });
  const watching = new Map<string, () => void>();
  const finishedFns = new Set<(j: Job) => void>();
  const announced = new Map<string, number>();
  /** Jobs the user removed from the list: a later listing or event does not bring them back. */
  const dismissed = new Set<string>();
  let unPushed: (() => void) | null = null;

  const patchView = (id: string, fn: (v: JobView) => JobView) =>
    s.set((st) => {
      const v = st.byId[id];
      return v ? { ...st, byId: { ...st.byId, [id]: fn(v) } } : st;
    });

  const put = (job: Job, extra: Partial<JobView> = {}) => {
    const prev = s.get().byId[job.id];
    if (prev && isTerminal(prev.job.status) && !isTerminal(job.status)) return; // terminal never changes
    const at = now();
    const entries = diffLog(prev?.job, job, at);
    s.set((st) => {
      const old = st.byId[job.id];
      let deltas = old?.deltas ?? {};
      // A finished item replaces its streamed text.
      for (const it of flatItems(job.results)) if ('video_id' in it && deltas[it.video_id] !== undefined) {
        const { [it.video_id]: _gone, ...rest } = deltas;
        void _gone;
        deltas = rest;
      }
      const view: JobView = {
        job,
        deltas: isTerminal(job.status) ? {} : deltas,
        log: [...(old?.log ?? []), ...entries].slice(-200),
        minimized: old?.minimized ?? false,
        ...(old?.link ? { link: old.link } : {}),
        ...(old?.local ? { local: true } : {}),
        ...extra,
      };
      const order = st.order.includes(job.id) ? st.order : [job.id, ...st.order];
      return { ...st, order, byId: { ...st.byId, [job.id]: view } };
    });
    if (o.announce) {
      const p = job.progress;
      if (isTerminal(job.status) && (!prev || !isTerminal(prev.job.status))) o.announce(completionMessage(job));
      else if (announced.get(job.id) !== p && job.total_items) o.announce(`${p} of ${job.total_items} videos done.`);
      announced.set(job.id, p);
    }
    if (isTerminal(job.status) && prev && !isTerminal(prev.job.status)) for (const fn of [...finishedFns]) fn(job);
  };

  const watch = (id: string) => {
    if (watching.has(id)) return;
    const stop = t.watchJob(id, {
      onJob: (j) => {
        put(j);
        if (isTerminal(j.status)) unwatch(id);
      },
      onDelta: (d) =>
        patchView(d.job_id, (v) => ({ ...v, deltas: { ...v.deltas, [d.video_id]: (v.deltas[d.video_id] ?? '') + d.delta } })),
      onLink: (state, why) =>
        patchView(id, (v) => ({
          ...v,
          link: state,
          log: why && v.link !== state ? [...v.log, { at: now(), text: why }] : v.log,
        })),
      onGone: () => patchView(id, (v) => ({ ...v, log: [...v.log, { at: now(), text: 'This job is no longer on the server.' }] })),
    });
    watching.set(id, stop);
  };
  const unwatch = (id: string) => {
    const stop = watching.get(id);
    watching.delete(id);
    stop?.();
  };

  const removeView = (id: string) =>
    s.set((st) => {
      const { [id]: _gone, ...byId } = st.byId;
      void _gone;
      return { ...st, order: st.order.filter((x) => x !== id), byId };
    });

  const submit = async (req: SummarizeRequest): Promise<string> => {
    const ts = new Date(now()).toISOString();
    const meta = {
      urls: req.urls, model: req.model ?? '',
      ...(req.style ? { style: req.style } : {}), ...(req.length ? { length: req.length } : {}),
      ...(req.language ? { language: req.language } : {}), ...(req.prefer_playlist ? { prefer_playlist: true } : {}),
      ...(req.regenerate ? { regenerate: true } : {}),
    };
    const blank = (id: string, status: Job['status']): Job => ({
      id, type: 'summarize', status, created_at: ts, started_at: status === 'pending' ? null : ts, completed_at: null,
      progress: 0, total_items: 0, current_item: null, results: [], error: null, metadata: meta,
    });
    // A provisional card shows at once; a synchronous answer (browser "wait" mode) fills it in.
    const localId = `local-${++localSeq}-${now()}`;
    put(blank(localId, 'running'), { local: true });
    let out;
    try {
      out = await t.summarize(req);
    } catch (e) {
      removeView(localId);
      throw e;
    }
    if (out.mode === 'sync') {
      const items = flatItems(out.results);
      put({ ...blank(localId, 'completed'), completed_at: new Date(now()).toISOString(), progress: items.length, total_items: items.length, results: out.results }, { local: true });
      return localId;
    }
    removeView(localId);
    const id = out.job_id;
    if (!s.get().byId[id]) put(blank(id, 'pending'));
    watch(id);
    return id;
  };

  /** A job this page does not know yet, seen in a listing or a pushed event. */
  const adopt = (j: Job) => {
    if (j.type === 'ask' || s.get().byId[j.id] || dismissed.has(j.id)) return; // questions live in their Ask box
    put(j, { minimized: isTerminal(j.status) });
    // A finished one too: a pushed job event carries no results (and a
    // fast job's earlier events may have been merged into it), so its
    // watcher reads the job once, then stops.
    watch(j.id);
  };

  let refreshing: Promise<void> | null = null;
  let lastRefresh = -Infinity;
  const refresh = (): Promise<void> => {
    if (refreshing) return refreshing;
    lastRefresh = now();
    refreshing = (async () => {
      try {
        const jobs = await t.listJobs('', o.listLimit ?? 20);
        for (const j of [...jobs].reverse()) if (!isTerminal(j.status)) adopt(j);
      } catch {
        /* the next refresh tries again */
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  return {
    ...s,
    async load() {
      if (t.onJobEvent && !unPushed) unPushed = t.onJobEvent(adopt);
      try {
        const jobs = (await t.listJobs('', o.listLimit ?? 20)).filter((j) => j.type !== 'ask');
        for (const j of [...jobs].reverse()) if (!s.get().byId[j.id]) put(j, { minimized: isTerminal(j.status) });
        s.set((st) => ({ ...st, loaded: true, loadError: null }));
        for (const j of jobs) if (!isTerminal(j.status)) watch(j.id);
      } catch (e) {
        s.set((st) => ({ ...st, loaded: true, loadError: toApiError(e).message }));
      }
    },
    submit,
    async cancel(id) {
      const v = s.get().byId[id];
      if (!v || isTerminal(v.job.status)) return;
      try {
        const job = await t.cancelJob(id);
        if (job) put(job);
      } catch (e) {
        const err = toApiError(e);
        if (err.code === 'conflict' || err.code === 'not_found') {
          try {
            put(await t.getJob(id));
          } catch {
            /* keep what we have */
          }
          if (err.code === 'conflict') return;
        }
        throw err;
      }
    },
    async retry(id, url) {
      const v = s.get().byId[id];
      const m = v?.job.metadata;
      const req: SummarizeRequest = { urls: [url] };
      if (m?.model) req.model = m.model;
      if (m?.style) req.style = m.style;
      if (m?.length) req.length = m.length;
      if (m?.language) req.language = m.language;
      return submit(req);
    },
    toggleMinimized(id) {
      patchView(id, (v) => ({ ...v, minimized: !v.minimized }));
    },
    dismiss(id) {
      dismissed.add(id);
      unwatch(id);
      removeView(id);
    },
    refresh,
    follow(env = {}) {
      if (t.onJobEvent) return () => {};
      const doc = env.doc ?? (typeof document !== 'undefined' ? document : undefined);
      const win = env.win ?? (typeof window !== 'undefined' ? window : undefined);
      const visible = () => !doc || doc.visibilityState !== 'hidden';
      // visibilitychange and focus usually come together: one listing for both.
      const soon = () => { if (visible() && now() - lastRefresh > 1000) void refresh(); };
      const onVisibility = () => { if (visible()) soon(); };
      doc?.addEventListener('visibilitychange', onVisibility);
      win?.addEventListener('focus', soon);
      const timer = setInterval(() => { if (visible()) void refresh(); }, env.intervalMs ?? 30_000);
      return () => {
        clearInterval(timer);
        doc?.removeEventListener('visibilitychange', onVisibility);
        win?.removeEventListener('focus', soon);
      };
    },
    onFinished(fn) {
      finishedFns.add(fn);
      return () => finishedFns.delete(fn);
    },
    dispose() {
      unPushed?.();
      unPushed = null;
      for (const id of [...watching.keys()]) unwatch(id);
    },
  };
}

export { ApiError };
