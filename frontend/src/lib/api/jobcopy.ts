import { backoff } from '../backoff';
import { isTerminal, type ItemEvent, type Job, type JobHead, type ResultItem, type VideoItem } from './types';

/**
 * Keeping a copy of a job from the window's events (API.md §7): `job` events carry the job
 * without its results (results null, results_count), `item` events the result items as they are
 * added. A copy starts from the whole job (read once), merges the items in order, and is read
 * again whole when the events show it fell behind (a missed item) or the job ended.
 */

/** A name for an item that is the same in every copy of it (a repeat is recognised). */
function identity(it: ResultItem | VideoItem | Record<string, unknown>): string {
  const r = it as Record<string, unknown>;
  switch (r.type) {
    case 'playlist':
      return `p:${String(r.playlist_id)}`;
    case 'channel':
      return `c:${String(r.channel_id)}`;
    case 'error':
      return `e:${String(r.url)}`;
    case 'answer':
      return `a:${String(r.question)}`;
    default:
      return `v:${String(r.video_id)}`;
  }
}

/**
 * Applies one item event to job (a new object; job is not changed): the item is inserted at its
 * position, unless the item at that position is the same item (an event the copy was read after,
 * or a playlist announced whole again), which is then replaced (API.md §6). The same video twice
 * in a job is two items. Returns null when the event does not fit the copy (no playlist or
 * channel at link_index, or a position past the end): the copy must be read again.
 */
export function mergeItem(job: Job, ev: ItemEvent): Job | null {
  const results = [...(job.results ?? [])];
  if (ev.video_index === null || ev.video_index === undefined) {
    const cur = results[ev.link_index];
    if (cur && identity(cur) === identity(ev.item)) results[ev.link_index] = ev.item;
    else if (ev.link_index >= 0 && ev.link_index <= results.length) results.splice(ev.link_index, 0, ev.item);
    else return null;
    return { ...job, results };
  }
  const parent = results[ev.link_index];
  if (!parent || (parent.type !== 'playlist' && parent.type !== 'channel')) return null;
  const summaries = [...(parent.summaries ?? [])];
  const video = ev.item as VideoItem;
  const cur = summaries[ev.video_index];
  if (cur && cur.video_id === video.video_id) summaries[ev.video_index] = video;
  else if (ev.video_index >= 0 && ev.video_index <= summaries.length) summaries.splice(ev.video_index, 0, video);
  else return null;
  results[ev.link_index] = { ...parent, summaries };
  return { ...job, results };
}

/** How many finished videos (and answers) results hold: what `progress` counts while a job runs. */
export function videoCount(results: ResultItem[]): number {
  let n = 0;
  for (const r of results) {
    if (r.type === 'playlist' || r.type === 'channel') n += r.summaries?.length ?? 0;
    else if (r.type !== 'error') n++;
  }
  return n;
}

/**
 * Whether copy holds every item head says the job has: as many results as results_count and, for
 * a running job, as many finished videos as progress. (A finished job may hold skipped videos that
 * progress does not count; it is read again whole anyway.)
 */
export function inSync(copy: ResultItem[], head: JobHead): boolean {
  if (typeof head.results_count === 'number' && copy.length !== head.results_count) return false;
  return isTerminal(head.status) || videoCount(copy) === head.progress;
}

/** The job of head with results (head's own when it has them, else those given). */
export function withResults(head: JobHead, results: ResultItem[]): Job {
  const { results_count: _count, ...rest } = head;
  void _count;
  return { ...rest, results: head.results ?? results };
}

export interface FollowerOptions {
  /** Reads the whole job (the bound GetJob). */
  fetch(id: string): Promise<Job>;
  /** Each new state of the copy. */
  deliver(job: Job): void;
  /** The job was not found. */
  gone?(): void;
  /**
   * How the copy is kept now: 'reconnecting' (with the failure's sentence) while a failed read
   * waits to be tried again, 'realtime' when a read succeeds after that.
   */
  link?(state: 'realtime' | 'reconnecting', why?: string): void;
}

/** The longest wait before reading again after failed reads. */
const RETRY_MOST_MS = 30_000;

/**
 * JobFollower keeps one job's copy from its events. start() reads the job; items that arrive
 * while it is read are kept and applied on top (repeats are recognised); a job event that shows
 * the copy missed something, or a job's end, reads the job again.
 */
export class JobFollower {
  private job: Job | null = null;
  private reading = false;
  private again = false;
  private pending: ItemEvent[] = [];
  private head: JobHead | null = null;
  private stopped = false;
  /** Failed reads in a row (the wait before the next grows with them: backoff, up to 30 s). */
  private failures = 0;
  /** The read that follows a failed one, while it waits; reads asked for meanwhile wait for it. */
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** How many times the whole job was read (for tests and diagnostics). */
  reads = 0;

  constructor(private readonly id: string, private readonly o: FollowerOptions) {}

  /** Reads the job whole and delivers it. */
  start(): void {
    this.read();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  get current(): Job | null {
    return this.job;
  }

  onItem(ev: ItemEvent): void {
    if (this.stopped) return;
    if (this.reading || !this.job) {
      this.pending.push(ev);
      if (!this.job) this.read();
      return;
    }
    const next = mergeItem(this.job, ev);
    if (next) this.job = next;
    else this.read();
  }

  onHead(head: JobHead): void {
    if (this.stopped) return;
    if (this.reading || !this.job) {
      this.head = head;
      if (!this.job) this.read();
      return;
    }
    if (isTerminal(head.status)) {
      // The end: the whole job once more, as the server keeps it.
      this.head = head;
      this.read();
      return;
    }
    if (!inSync(this.job.results, head)) {
      this.head = head;
      this.read();
      return;
    }
    this.job = withResults(head, this.job.results);
    this.o.deliver(this.job);
  }

  private read(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    // After a failure, events do not read sooner than the backoff: the waiting read takes in
    // what they brought (the kept items and job event).
    if (this.retry !== undefined) return;
    this.reading = true;
    this.again = false;
    this.reads++;
    this.o.fetch(this.id).then(
      (job) => {
        this.reading = false;
        if (this.stopped) return;
        if (this.failures > 0) this.o.link?.('realtime');
        this.failures = 0;
        let copy: Job | null = job;
        for (const ev of this.pending.splice(0)) copy = copy && mergeItem(copy, ev);
        if (!copy) copy = job; // a kept item did not fit: the next job event tells
        const head = this.head;
        this.head = null;
        let again = this.again && !isTerminal(job.status);
        if (head && !isTerminal(job.status)) {
          if (isTerminal(head.status)) again = true; // it ended meanwhile: read the end
          else if (head.progress >= job.progress) {
            // A job event newer than what was read: its fields, the read results.
            copy = withResults(head, copy.results);
            again = !inSync(copy.results, head);
          }
        }
        this.again = false;
        this.job = copy;
        this.o.deliver(copy);
        if (again) this.read();
      },
      (e: unknown) => {
        this.reading = false;
        if (this.stopped) return;
        const code = (e as { code?: string } | null)?.code;
        if (code === 'not_found') {
          this.o.gone?.();
        } else if (this.again || this.head || !this.job) {
          // Again (the copy is behind, or there is none yet), but not at once: a read that keeps
          // failing must not spin.
          this.again = false;
          this.failures++;
          this.o.link?.('reconnecting', e instanceof Error ? e.message : typeof e === 'string' ? e : undefined);
          this.retry = setTimeout(() => {
            this.retry = undefined;
            this.read();
          }, backoff(this.failures, RETRY_MOST_MS));
        }
      },
    );
  }
}
