import { backoff } from '../backoff';
import { ApiError } from './errors';
import type { ConnectionMethod, JobWatcher } from './transport';
import { isTerminal, type Job, type SummaryDelta } from './types';

/** The parts of EventSource the live link uses (so tests can pass a fake). */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}
export type EventSourceFactory = (url: string) => EventSourceLike;

export interface LiveOptions {
  streamURL(id: string): string;
  fetchJob(id: string): Promise<Job>;
  /** Read at every (re)connection so a changed choice applies to the next attempt. */
  method(): ConnectionMethod;
  /** api_status.sse_enabled when known. */
  sseEnabled(): boolean | undefined;
  /** Absent: no EventSource available → polling. */
  eventSource?: EventSourceFactory | undefined;
  pollIntervalMs?: number;
  /** No message (heartbeats included) for this long = stale stream. */
  staleAfterMs?: number;
  /** Consecutive stream failures before auto falls back to polling. */
  maxFailures?: number;
  now?: () => number;
}

const CLOSED = 2;

/**
 * watchJobLive follows one job over SSE (API.md §6) with the seed's ConnectionManager
 * behaviour: "auto" starts real-time and falls back to polling GET /jobs/{id} after
 * repeated failures, a stream that never opens (SSE disabled → 404), or stale heartbeats;
 * "realtime" keeps reconnecting; "periodic" only polls. It stops by itself at a terminal
 * status. Returns the function that stops it. Never throws; errors go to onLink.
 */
export function watchJobLive(id: string, w: JobWatcher, o: LiveOptions): () => void {
  const pollMs = o.pollIntervalMs ?? 2000;
  const staleMs = o.staleAfterMs ?? 45_000;
  const maxFailures = o.maxFailures ?? 3;
  const now = o.now ?? (() => Date.now());

  let stopped = false;
  let es: EventSourceLike | null = null;
  let failures = 0;
  let lastMessage = now();
  let staleTimer: ReturnType<typeof setInterval> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastStatus: string | undefined;

  const link = (s: Parameters<NonNullable<JobWatcher['onLink']>>[0], why?: string) => {
    if (!stopped) w.onLink?.(s, why);
  };

  const closeStream = () => {
    if (staleTimer !== undefined) clearInterval(staleTimer);
    staleTimer = undefined;
    if (es) {
      es.onopen = es.onmessage = es.onerror = null;
      es.close();
      es = null;
    }
  };

  const finish = () => {
    if (stopped) return;
    link('closed');
    stop();
  };

  const stop = () => {
    stopped = true;
    closeStream();
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  const deliver = (job: Job) => {
    if (stopped) return;
    lastStatus = job.status;
    w.onJob(job);
    if (isTerminal(job.status)) finish();
  };

  // ---- polling
  let pollErrors = 0;
  const poll = async () => {
    timer = undefined;
    if (stopped) return;
    try {
      const job = await o.fetchJob(id);
      if (stopped) return;
      if (pollErrors > 0) link('polling');
      pollErrors = 0;
      deliver(job);
    } catch (e) {
      if (stopped) return;
      if (e instanceof ApiError && e.code === 'not_found') {
        w.onGone?.();
        finish();
        return;
      }
      pollErrors++;
      link('reconnecting', e instanceof Error ? e.message : undefined);
    }
    if (!stopped) timer = setTimeout(poll, pollErrors ? Math.max(pollMs, backoff(pollErrors, 15_000)) : pollMs);
  };
  const startPolling = (why: string) => {
    closeStream();
    if (stopped) return;
    link('polling', why);
    void poll();
  };

  // ---- SSE
  const onFailure = (why: string, everOpened: boolean, closed: boolean) => {
    failures++;
    const method = o.method();
    if (method === 'auto') {
      if (!everOpened && closed) return startPolling('The live stream is not available; checking every few seconds instead.');
      if (failures >= maxFailures) return startPolling(`The live stream failed ${failures} times; checking every few seconds instead.`);
    }
    link('reconnecting', why);
    if (closed || method === 'periodic') {
      closeStream();
      timer = setTimeout(() => {
        timer = undefined;
        if (o.method() === 'periodic') startPolling('Periodic updates chosen.');
        else startStream();
      }, backoff(failures, 30_000));
    }
  };

  const startStream = () => {
    if (stopped) return;
    closeStream();
    let everOpened = false;
    let src: EventSourceLike;
    try {
      src = o.eventSource!(o.streamURL(id));
    } catch {
      return startPolling('Live updates are not available here; checking every few seconds instead.');
    }
    es = src;
    lastMessage = now();
    link(failures ? 'reconnecting' : 'connecting');
    src.onopen = () => {
      everOpened = true;
      failures = 0;
      lastMessage = now();
      link('realtime');
    };
    src.onmessage = (ev: MessageEvent) => {
      lastMessage = now();
      if (!everOpened) {
        everOpened = true;
        failures = 0;
        link('realtime');
      }
      let data: unknown;
      try {
        data = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (!data || typeof data !== 'object') return;
      const d = data as Record<string, unknown>;
      if (d.type === 'heartbeat') return;
      if (typeof d.id === 'string' && typeof d.status === 'string') deliver(d as unknown as Job);
    };
    src.addEventListener('summary_delta', (ev: MessageEvent) => {
      lastMessage = now();
      try {
        const d = JSON.parse(String(ev.data)) as SummaryDelta;
        if (!stopped && d && typeof d.delta === 'string') w.onDelta?.(d);
      } catch {
        /* a malformed delta is dropped; the final text arrives with the job */
      }
    });
    src.onerror = () => {
      if (stopped || es !== src) return;
      const closed = src.readyState === CLOSED;
      if (closed && lastStatus && isTerminal(lastStatus as Job['status'])) return finish();
      onFailure('The live connection dropped; reconnecting.', everOpened, closed);
    };
    staleTimer = setInterval(() => {
      if (stopped || es !== src) return;
      if (now() - lastMessage > staleMs) {
        if (o.method() === 'auto') startPolling('The live stream went quiet; checking every few seconds instead.');
        else {
          failures++;
          startStream();
        }
      }
    }, Math.max(250, Math.floor(staleMs / 3)));
  };

  if (o.method() === 'periodic') startPolling('Periodic updates chosen.');
  else if (o.sseEnabled() === false) startPolling('The server has live updates turned off; checking every few seconds instead.');
  else if (!o.eventSource) startPolling('Live updates are not available here; checking every few seconds instead.');
  else startStream();

  return stop;
}
