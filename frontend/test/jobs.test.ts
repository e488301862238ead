import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/lib/api/errors';
import { completionMessage, createJobs, estimateRemaining, percent } from '../src/stores/jobs';
import { fakeTransport } from './fake-transport';
import { flush, makeJob, makeVideo } from './helpers';

beforeEach(() => localStorage.clear());

describe('jobs store', () => {
  it('submit adds a pending card at once and follows the job live', async () => {
    const { t, raw, watchers, stopped } = fakeTransport();
    const announced: string[] = [];
    const jobs = createJobs(t, { announce: (m) => announced.push(m), now: () => Date.parse('2026-11-28T10:00:10Z') });
    const finished = vi.fn();
    jobs.onFinished(finished);
    const id = await jobs.submit({ urls: ['https://www.youtube.com/playlist?list=PLtest'], model: 'm', prefer_playlist: true });
    expect(id).toBe('j1');
    expect(raw.summarize).toHaveBeenCalledWith({ urls: ['https://www.youtube.com/playlist?list=PLtest'], model: 'm', prefer_playlist: true });
    expect(jobs.get().byId.j1!.job.status).toBe('pending');
    expect(jobs.get().byId.j1!.job.metadata.prefer_playlist).toBe(true);
    const w = watchers.get('j1')!;
    w.onLink?.('realtime');
    w.onJob(makeJob({ progress: 1, current_item: 'https://www.youtube.com/watch?v=v2' }));
    w.onDelta?.({ job_id: 'j1', video_id: 'v2', delta: 'Hel' });
    w.onDelta?.({ job_id: 'j1', video_id: 'v2', delta: 'lo' });
    expect(jobs.get().byId.j1!.deltas.v2).toBe('Hello');
    w.onJob(makeJob({ progress: 2, results: [makeVideo('v1'), makeVideo('v2')] }));
    expect(jobs.get().byId.j1!.deltas.v2).toBeUndefined(); // the finished item replaces the streamed text
    w.onJob(makeJob({ status: 'completed', progress: 3, completed_at: '2026-11-28T10:01:00Z', results: [makeVideo('v1'), makeVideo('v2'), makeVideo('v3', { summary: null, error: 'This video has no captions.' })] }));
    const v = jobs.get().byId.j1!;
    expect(v.job.status).toBe('completed');
    expect(v.link).toBe('realtime');
    expect(stopped).toEqual(['j1']);
    expect(finished).toHaveBeenCalledOnce();
    expect(v.log.map((l) => l.text)).toContain('Failed: Video v3 — This video has no captions.');
    expect(announced).toContain('1 of 3 videos done.');
    expect(announced.at(-1)).toBe('Finished in 1 min: 2 summaries, 1 failed.');
  });

  it('a rejected submit leaves no card behind', async () => {
    const { t } = fakeTransport({ summarize: vi.fn(async () => Promise.reject(new ApiError('Too many jobs.', { retryAfter: 5 }))) });
    const jobs = createJobs(t);
    const e = (await jobs.submit({ urls: ['u'] }).catch((x: unknown) => x)) as ApiError;
    expect(e.retryAfter).toBe(5);
    expect(jobs.get().order).toEqual([]);
  });

  it('a terminal job never goes back', async () => {
    const { t, watchers } = fakeTransport();
    const jobs = createJobs(t);
    await jobs.submit({ urls: ['u'] });
    const w = watchers.get('j1')!;
    w.onJob(makeJob({ status: 'cancelled' }));
    w.onJob(makeJob({ status: 'running', progress: 2 }));
    expect(jobs.get().byId.j1!.job.status).toBe('cancelled');
  });

  it('load() shows jobs that survived a restart and follows only active ones', async () => {
    const { t, raw } = fakeTransport({
      listJobs: vi.fn(async () => [makeJob({ id: 'a', status: 'running' }), makeJob({ id: 'b', status: 'completed' })]),
    });
    const jobs = createJobs(t);
    await jobs.load();
    expect(jobs.get().order).toEqual(['a', 'b']);
    expect(raw.watchJob).toHaveBeenCalledTimes(1);
    expect(raw.watchJob.mock.calls[0]![0]).toBe('a');
    expect(jobs.get().byId.b!.minimized).toBe(true);
  });

  it('load() failure is state, not a throw', async () => {
    const { t } = fakeTransport({ listJobs: vi.fn(async () => Promise.reject(new ApiError('Cannot reach the service.'))) });
    const jobs = createJobs(t);
    await jobs.load();
    expect(jobs.get().loadError).toBe('Cannot reach the service.');
  });

  it('sync answers become a finished local job', async () => {
    const { t, raw } = fakeTransport({ summarize: vi.fn(async () => ({ mode: 'sync', results: [makeVideo('v1')] })) });
    const jobs = createJobs(t);
    const id = await jobs.submit({ urls: ['u'] });
    const v = jobs.get().byId[id]!;
    expect(v.local).toBe(true);
    expect(v.job.status).toBe('completed');
    expect(percent(v.job)).toBe(100);
    expect(raw.watchJob).not.toHaveBeenCalled();
  });

  it('cancel uses the answer; a 409 refreshes the job instead of failing', async () => {
    const { t, raw } = fakeTransport({
      cancelJob: vi.fn(async () => makeJob({ status: 'cancelled' })),
    });
    const jobs = createJobs(t);
    await jobs.submit({ urls: ['u'] });
    await jobs.cancel('j1');
    expect(jobs.get().byId.j1!.job.status).toBe('cancelled');

    raw.summarize.mockResolvedValueOnce({ mode: 'async', job_id: 'j2' });
    await jobs.submit({ urls: ['u'] });
    raw.cancelJob.mockRejectedValueOnce(new ApiError('Already finished.', { code: 'conflict' }));
    raw.getJob.mockResolvedValueOnce(makeJob({ id: 'j2', status: 'completed' }));
    await jobs.cancel('j2');
    expect(jobs.get().byId.j2!.job.status).toBe('completed');
  });

  it('retry resubmits one link with the job options', async () => {
    const { t, raw, watchers } = fakeTransport();
    const jobs = createJobs(t);
    await jobs.submit({ urls: ['a', 'b'], model: 'gpt-5', style: 'chapters', language: 'de' });
    watchers.get('j1')!.onJob(makeJob({ status: 'completed', metadata: { urls: ['a', 'b'], model: 'gpt-5', style: 'chapters', language: 'de' } }));
    await jobs.retry('j1', 'b');
    expect(raw.summarize).toHaveBeenLastCalledWith({ urls: ['b'], model: 'gpt-5', style: 'chapters', language: 'de' });
  });

  it('minimize and dismiss', async () => {
    const { t } = fakeTransport();
    const jobs = createJobs(t);
    await jobs.submit({ urls: ['u'] });
    jobs.toggleMinimized('j1');
    expect(jobs.get().byId.j1!.minimized).toBe(true);
    jobs.dismiss('j1');
    expect(jobs.get().order).toEqual([]);
    await flush();
  });
});

describe('jobs started elsewhere', () => {
  afterEach(() => vi.useRealTimers());

  function fakeEnv() {
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
    const win = new EventTarget();
    return { doc, win, env: { doc: doc as unknown as Document, win: win as unknown as Window, intervalMs: 30_000 } };
  }

  it('refresh() adds and follows unknown unfinished jobs only, never a dismissed one', async () => {
    let list = [makeJob({ id: 'a' })];
    const { t, raw, watchers } = fakeTransport({ listJobs: vi.fn(async () => list) });
    const jobs = createJobs(t);
    await jobs.load();
    list = [makeJob({ id: 'cli', status: 'pending' }), makeJob({ id: 'a', status: 'completed' }), makeJob({ id: 'old', status: 'failed' })];
    await jobs.refresh();
    expect(jobs.get().order).toEqual(['cli', 'a']);
    expect([...watchers.keys()].sort()).toEqual(['a', 'cli']);
    expect(raw.listJobs).toHaveBeenLastCalledWith('', 20);
    watchers.get('cli')!.onJob(makeJob({ id: 'cli', status: 'cancelled' }));
    jobs.dismiss('cli');
    list = [makeJob({ id: 'cli', status: 'running' })];
    await jobs.refresh();
    expect(jobs.get().order).toEqual(['a']);
  });

  it('refresh() ignores a failed listing', async () => {
    const { t } = fakeTransport({ listJobs: vi.fn(async () => Promise.reject(new ApiError('down'))) });
    const jobs = createJobs(t);
    await expect(jobs.refresh()).resolves.toBeUndefined();
    expect(jobs.get().order).toEqual([]);
  });

  it('follow() (browser) lists again on visibility, focus and every 30 s while visible, until stopped', async () => {
    vi.useFakeTimers();
    let clock = 0;
    const { t, raw } = fakeTransport({ listJobs: vi.fn(async () => [makeJob({ id: 'tab2' })]) });
    const jobs = createJobs(t, { now: () => clock });
    const { doc, win, env } = fakeEnv();
    const stop = jobs.follow(env);
    expect(raw.listJobs).not.toHaveBeenCalled();
    clock = 5_000;
    doc.dispatchEvent(new Event('visibilitychange'));
    win.dispatchEvent(new Event('focus')); // the same return: one listing
    await flush();
    expect(raw.listJobs).toHaveBeenCalledTimes(1);
    expect(jobs.get().order).toEqual(['tab2']);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(raw.listJobs).toHaveBeenCalledTimes(2);
    doc.visibilityState = 'hidden';
    await vi.advanceTimersByTimeAsync(30_000);
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(raw.listJobs).toHaveBeenCalledTimes(2);
    doc.visibilityState = 'visible';
    clock = 100_000;
    stop();
    doc.dispatchEvent(new Event('visibilitychange'));
    win.dispatchEvent(new Event('focus'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(raw.listJobs).toHaveBeenCalledTimes(2);
  });

  it('window: a pushed event of an unknown job adds its card and follows it; follow() does not poll', async () => {
    vi.useFakeTimers();
    let push: ((j: ReturnType<typeof makeJob>) => void) | null = null;
    const unsub = vi.fn();
    const { t, raw, watchers } = fakeTransport({ onJobEvent: vi.fn((fn: (j: ReturnType<typeof makeJob>) => void) => { push = fn; return unsub; }) });
    const jobs = createJobs(t);
    await jobs.load();
    const stop = jobs.follow(fakeEnv().env);
    push!(makeJob({ id: 'cli', status: 'running' }));
    expect(jobs.get().order).toEqual(['cli']);
    expect(watchers.has('cli')).toBe(true);
    push!(makeJob({ id: 'cli', progress: 2 })); // known: its watcher handles it
    expect(raw.watchJob).toHaveBeenCalledTimes(1);
    push!(makeJob({ id: 'quick', status: 'completed', results: [] })); // an event: no results
    expect(jobs.get().order).toEqual(['quick', 'cli']);
    expect(jobs.get().byId.quick!.minimized).toBe(true);
    // Its results are read once (the event carried none), and it is not followed after.
    expect(watchers.has('quick')).toBe(true);
    watchers.get('quick')!.onJob(makeJob({ id: 'quick', status: 'completed', results: [makeVideo('q1')] }));
    expect(jobs.get().byId.quick!.job.results).toHaveLength(1);
    expect(watchers.has('quick')).toBe(false);
    jobs.dismiss('quick');
    push!(makeJob({ id: 'quick', status: 'completed' }));
    expect(jobs.get().order).toEqual(['cli']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(raw.listJobs).toHaveBeenCalledTimes(1); // load() only
    stop();
    jobs.dispose();
    expect(unsub).toHaveBeenCalledOnce();
  });
});

describe('job helpers', () => {
  it('estimateRemaining uses the pace so far', () => {
    const j = makeJob({ started_at: '2026-11-28T10:00:00Z', progress: 2, total_items: 6 });
    expect(estimateRemaining(j, Date.parse('2026-11-28T10:01:00Z'))).toBe(120);
    expect(estimateRemaining({ ...j, progress: 0 }, Date.now())).toBeNull();
    expect(estimateRemaining({ ...j, status: 'completed' }, Date.now())).toBeNull();
  });
  it('completion messages', () => {
    expect(completionMessage(makeJob({ status: 'cancelled', progress: 1, total_items: 3 }))).toBe('Cancelled after 1 of 3 videos.');
    expect(completionMessage(makeJob({ status: 'failed', error: 'The database is locked.' }))).toBe('The database is locked.');
    expect(completionMessage(makeJob({ status: 'completed', started_at: null, results: [{ type: 'playlist', playlist_id: 'p', title: 'P', error: null, summaries: [makeVideo('a'), makeVideo('b')] }] }))).toBe('Done: 2 summaries.');
  });
});
