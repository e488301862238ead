import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/lib/api/errors';
import { createTransport } from '../src/lib/api';
import { HttpTransport } from '../src/lib/api/http';
import { WailsTransport, type WailsApp } from '../src/lib/api/wails';
import { JobFollower, mergeItem } from '../src/lib/api/jobcopy';
import { flush, makeJob, makeVideo } from './helpers';
import type { ItemEvent, Job, PlaylistItem } from '../src/lib/api/types';

/**
 * A fake of the bound methods: each takes the generated method's arguments
 * (tsc checks them) and answers plain JSON, as Go's marshalling does.
 */
type FakeApp = { [K in keyof WailsApp]?: (...args: Parameters<WailsApp[K]>) => Promise<unknown> };

afterEach(() => {
  delete (window as unknown as { go?: unknown }).go;
});

/**
 * fakeWindow installs app where the generated module (wailsjs/go/main/App)
 * calls it, window.go.main.App, and returns a window for createTransport
 * with it and a fake runtime.
 */
function fakeWindow(app: FakeApp) {
  const handlers = new Map<string, ((...a: unknown[]) => void)[]>();
  const runtime = {
    EventsOn: vi.fn((name: string, cb: (...a: unknown[]) => void) => {
      handlers.set(name, [...(handlers.get(name) ?? []), cb]);
      return () => handlers.set(name, (handlers.get(name) ?? []).filter((x) => x !== cb));
    }),
    BrowserOpenURL: vi.fn(),
  };
  const emit = (name: string, data: unknown) => (handlers.get(name) ?? []).forEach((cb) => cb(data));
  (window as unknown as { go: unknown }).go = { main: { App: app } };
  const win = { go: { main: { App: app } }, runtime } as unknown as Window;
  return { win, runtime, emit };
}

describe('createTransport', () => {
  it('picks Wails when window.go.main.App exists, else HTTP', () => {
    expect(createTransport(fakeWindow({}).win)).toBeInstanceOf(WailsTransport);
    expect(createTransport({} as Window, { fetch: vi.fn() as unknown as typeof fetch })).toBeInstanceOf(HttpTransport);
  });
});

describe('WailsTransport', () => {
  it('calls the bound methods with BINDINGS.md arguments', async () => {
    const app = {
      Summarize: vi.fn(async () => ({ job_id: 'j1', status: 'accepted' })),
      CachedSummaries: vi.fn(async () => ({ summaries: [], total: 0, page: 1, per_page: 10, total_pages: 1 })),
      ListJobs: vi.fn(async () => ({ jobs: [makeJob()] })),
    };
    const t = createTransport(fakeWindow(app).win);
    expect(await t.summarize({ urls: ['u'], style: 'chapters', prefer_playlist: true })).toEqual({ mode: 'async', job_id: 'j1' });
    expect(app.Summarize).toHaveBeenCalledWith({ urls: ['u'], style: 'chapters', prefer_playlist: true });
    await t.cachedSummaries({ page: 3, perPage: 50, sort: 'title' });
    expect(app.CachedSummaries).toHaveBeenCalledWith(3, 50, 'title', '', '');
    expect(await t.listJobs('running', 5)).toHaveLength(1);
    expect(app.ListJobs).toHaveBeenCalledWith('running', 5);
  });

  it('a Go error (JSON string) rejects with ApiError', async () => {
    const app = { SaveSettings: vi.fn(async () => Promise.reject('{"error":"Bad port.","code":"invalid","fields":{"port":"Use 1–65535."}}')) };
    const e = (await createTransport(fakeWindow(app).win).saveSettings({ port: 0 }).catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.message).toBe('Bad port.');
    expect(e.fields.port).toBe('Use 1–65535.');
    const app2 = { GetJob: vi.fn(async () => Promise.reject('plain failure')) };
    expect(((await createTransport(fakeWindow(app2).win).getJob('x').catch((x: unknown) => x)) as ApiError).message).toBe('plain failure');
  });

  it('speak decodes base64 audio into a Blob', async () => {
    const app = { Speak: vi.fn(async () => ({ audio_base64: btoa('ID3abc'), content_type: 'audio/mpeg' })) };
    const clip = await createTransport(fakeWindow(app).win).speak({ video_id: 'x' });
    expect(clip.blob.size).toBe(6);
    expect(clip.blob.type).toBe('audio/mpeg');
    const text = await new Promise<string>((ok) => {
      const r = new FileReader();
      r.onload = () => ok(String(r.result));
      r.readAsText(clip.blob);
    });
    expect(text).toBe('ID3abc');
  });

  it('watchJob reads the job with GetJob, then follows `job` and `summary_delta` events for its id only', async () => {
    const app = { GetJob: vi.fn(async () => makeJob({ progress: 0 })) };
    const { win, emit, runtime } = fakeWindow(app);
    const t = createTransport(win);
    const jobs: number[] = [];
    const deltas: string[] = [];
    const stop = t.watchJob('j1', { onJob: (j) => jobs.push(j.progress), onDelta: (d) => deltas.push(d.delta) });
    await flush();
    const head = (p: Partial<Job>) => ({ ...makeJob(p), results: null, results_count: 0 });
    emit('job', head({ current_item: 'https://www.youtube.com/watch?v=x' }));
    emit('job', head({ id: 'other', progress: 9 }));
    emit('summary_delta', { job_id: 'j1', video_id: 'v', delta: 'abc' });
    emit('summary_delta', { job_id: 'other', video_id: 'v', delta: 'zzz' });
    emit('job', JSON.stringify(head({ total_items: 4 }))); // a string payload works too
    expect(jobs).toEqual([0, 0, 0]);
    expect(deltas).toEqual(['abc']);
    expect(app.GetJob).toHaveBeenCalledTimes(1);
    stop();
    emit('job', head({ total_items: 5 }));
    expect(jobs).toEqual([0, 0, 0]);
    expect(runtime.EventsOn).toHaveBeenCalledTimes(4); // one listener per event name (job, item, subscription, summary_delta), shared
  });

  it('openExternal uses the system browser', () => {
    const { win, runtime } = fakeWindow({});
    createTransport(win).openExternal('https://www.youtube.com/watch?v=x');
    expect(runtime.BrowserOpenURL).toHaveBeenCalledWith('https://www.youtube.com/watch?v=x');
  });
});

describe('WailsTransport job events', () => {
  it('onJobEvent sees every pushed job, watched or not, until stopped', async () => {
    const { win, emit } = fakeWindow({ GetJob: vi.fn(async () => makeJob()) });
    const t = createTransport(win);
    const seen: string[] = [];
    const stop = t.onJobEvent!((j) => seen.push(`${j.id}:${j.status}`));
    emit('job', JSON.stringify(makeJob({ id: 'cli1' })));
    emit('job', makeJob({ id: 'cli1', status: 'completed' }));
    emit('job', 'not json');
    stop();
    emit('job', makeJob({ id: 'cli2' }));
    await flush();
    expect(seen).toEqual(['cli1:running', 'cli1:completed']);
  });
});

describe('WailsTransport job copies (item events, API.md §7)', () => {
  const head = (p: Partial<Job>, count: number) => ({ ...makeJob(p), results: null, results_count: count });
  const item = (ev: Omit<ItemEvent, 'job_id'>): ItemEvent => ({ job_id: 'j1', ...ev });

  it('merges a plain video and a video inside a playlist into its copy, by position', async () => {
    const pl: PlaylistItem = { type: 'playlist', playlist_id: 'PL1', title: 'List', summaries: [makeVideo('p1')], error: null };
    const app = { GetJob: vi.fn(async () => makeJob({ progress: 1, results: [pl] })) };
    const { win, emit } = fakeWindow(app);
    const t = createTransport(win);
    const got: Job[] = [];
    t.watchJob('j1', { onJob: (j) => got.push(j) });
    await flush();
    // A plain video before the playlist (link_index 0), then the playlist's third video, then its second.
    emit('item', item({ link_index: 0, video_index: null, item: makeVideo('v1') }));
    emit('job', head({ progress: 2 }, 2));
    const { type: _t, ...p3 } = makeVideo('p3');
    void _t;
    emit('item', item({ link_index: 1, video_index: 1, item: p3 }));
    emit('job', head({ progress: 3 }, 2));
    emit('item', item({ link_index: 1, video_index: 1, item: makeVideo('p2') }));
    emit('job', head({ progress: 4 }, 2));
    const last = got[got.length - 1]!;
    expect(last.progress).toBe(4);
    expect(last.results.map((r) => r.type)).toEqual(['video', 'playlist']);
    expect((last.results[0] as { video_id: string }).video_id).toBe('v1');
    expect((last.results[1] as PlaylistItem).summaries.map((v) => v.video_id)).toEqual(['p1', 'p2', 'p3']);
    expect('results_count' in last).toBe(false);
    expect(app.GetJob).toHaveBeenCalledTimes(1); // in step: no read again
  });

  it('reads the job again when a job event shows it fell behind (a missed item), and at the end', async () => {
    let server = makeJob({ progress: 0, results: [] });
    const app = { GetJob: vi.fn(async () => server) };
    const { win, emit } = fakeWindow(app);
    const t = createTransport(win);
    const got: Job[] = [];
    t.watchJob('j1', { onJob: (j) => got.push(j) });
    await flush();
    // Two videos finished; the window saw the item of only one.
    server = makeJob({ progress: 2, results: [makeVideo('a'), makeVideo('b')] });
    emit('item', item({ link_index: 0, video_index: null, item: makeVideo('a') }));
    emit('job', head({ progress: 2 }, 2));
    expect(app.GetJob).toHaveBeenCalledTimes(2);
    await flush();
    expect(got[got.length - 1]!.results.map((r) => (r as { video_id: string }).video_id)).toEqual(['a', 'b']);
    // An item event that arrives again after the read is recognised, not added twice.
    emit('item', item({ link_index: 1, video_index: null, item: makeVideo('b') }));
    emit('job', head({ progress: 2, current_item: 'x' }, 2));
    expect(app.GetJob).toHaveBeenCalledTimes(2);
    expect(got[got.length - 1]!.results).toHaveLength(2);
    // The end: read whole once more, delivered as the server has it, then no more.
    server = makeJob({ status: 'completed', progress: 3, results: [makeVideo('a'), makeVideo('b'), makeVideo('c')] });
    emit('item', item({ link_index: 2, video_index: null, item: makeVideo('c') }));
    emit('job', head({ status: 'completed', progress: 3 }, 3));
    await flush();
    expect(app.GetJob).toHaveBeenCalledTimes(3);
    const end = got[got.length - 1]!;
    expect(end.status).toBe('completed');
    expect(end.results).toHaveLength(3);
    const n = got.length;
    emit('job', head({ status: 'completed', progress: 3 }, 3));
    expect(got).toHaveLength(n);
  });

  it('a playlist announced whole replaces the one the copy holds (a cancel fills in its videos at once)', async () => {
    const pl: PlaylistItem = { type: 'playlist', playlist_id: 'PL1', title: 'List', summaries: [makeVideo('p1')], error: null };
    const app = { GetJob: vi.fn(async () => makeJob({ progress: 1, results: [makeVideo('v1'), pl] })) };
    const { win, emit } = fakeWindow(app);
    const t = createTransport(win);
    const got: Job[] = [];
    t.watchJob('j1', { onJob: (j) => got.push(j) });
    await flush();
    const whole: PlaylistItem = { ...pl, summaries: [makeVideo('p1'), makeVideo('p2'), makeVideo('p3')] };
    emit('item', item({ link_index: 1, video_index: null, item: whole }));
    emit('job', head({ progress: 4 }, 2));
    const last = got[got.length - 1]!;
    expect(last.results).toHaveLength(2);
    expect((last.results[1] as PlaylistItem).summaries.map((v) => v.video_id)).toEqual(['p1', 'p2', 'p3']);
    expect(app.GetJob).toHaveBeenCalledTimes(1);
  });

  it('items that arrive while the job is being read are applied on top of it', async () => {
    let resolve!: (j: Job) => void;
    const app = { GetJob: vi.fn(() => new Promise<Job>((ok) => { resolve = ok; })) };
    const { win, emit } = fakeWindow(app);
    const t = createTransport(win);
    const got: Job[] = [];
    t.watchJob('j1', { onJob: (j) => got.push(j) });
    // The read was answered with one video; meanwhile that one (already in it) and a newer one came.
    emit('item', item({ link_index: 0, video_index: null, item: makeVideo('a') }));
    emit('item', item({ link_index: 1, video_index: null, item: makeVideo('b') }));
    emit('job', head({ progress: 2 }, 2));
    resolve(makeJob({ progress: 1, results: [makeVideo('a')] }));
    await flush();
    expect(got).toHaveLength(1);
    expect(got[0]!.progress).toBe(2);
    expect(got[0]!.results.map((r) => (r as { video_id: string }).video_id)).toEqual(['a', 'b']);
    expect(app.GetJob).toHaveBeenCalledTimes(1);
  });
});

describe('JobFollower', () => {
  afterEach(() => vi.useRealTimers());

  it('reads again after a failed read, with a pause that grows, not at once', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(async () => {
      throw new ApiError('The database could not be read.', { code: 'internal', status: 500 });
    });
    const f = new JobFollower('j1', { fetch, deliver: () => {} });
    f.onHead({ ...makeJob({ id: 'j1', status: 'running', progress: 1, total_items: 2 }), results: null, results_count: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(fetch).toHaveBeenCalledTimes(2);
    f.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});

describe('JobFollower first read', () => {
  afterEach(() => vi.useRealTimers());

  it('a failed FIRST read is tried again with a pause that grows, and says it is reconnecting meanwhile', async () => {
    vi.useFakeTimers();
    let fails = 2;
    const fetch = vi.fn(async () => {
      if (fails-- > 0) throw new ApiError('The database could not be read.', { code: 'internal', status: 500 });
      return makeJob({ id: 'j1', status: 'running', progress: 1 });
    });
    const got: Job[] = [];
    const link = vi.fn();
    const f = new JobFollower('j1', { fetch, deliver: (j) => got.push(j), link });
    f.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(link).toHaveBeenLastCalledWith('reconnecting', 'The database could not be read.');
    await vi.advanceTimersByTimeAsync(999);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1); // 1 s after the first failure
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(got).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1); // 2 s after the second
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(got).toHaveLength(1);
    expect(f.current?.progress).toBe(1);
    expect(link.mock.calls.map((c) => c[0])).toEqual(['reconnecting', 'reconnecting', 'realtime']);
    // Read: nothing more to do.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('events that come while a failed read waits to be tried again do not read sooner; the retry takes them in', async () => {
    vi.useFakeTimers();
    let fails = 1;
    const fetch = vi.fn(async () => {
      if (fails-- > 0) throw new ApiError('The database could not be read.', { code: 'internal', status: 500 });
      return makeJob({ id: 'j1', status: 'running', progress: 1, results: [] });
    });
    const got: Job[] = [];
    const f = new JobFollower('j1', { fetch, deliver: (j) => got.push(j) });
    f.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(1);
    // The job goes on meanwhile: an item and a job event, each of which would read a copy-less job.
    f.onItem({ job_id: 'j1', link_index: 0, video_index: null, item: makeVideo('v1') });
    f.onHead({ ...makeJob({ id: 'j1', status: 'running', progress: 1, total_items: 2 }), results: null, results_count: 1 });
    await vi.advanceTimersByTimeAsync(999);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(got).toHaveLength(1);
    expect(got[0]!.results).toHaveLength(1); // the kept item, merged into the read
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetch).toHaveBeenCalledTimes(2); // one retry, not one more for each event
  });

  it('a stopped follower does not try again', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(async () => {
      throw new ApiError('The database could not be read.', { code: 'internal', status: 500 });
    });
    const f = new JobFollower('j1', { fetch, deliver: () => {} });
    f.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1); // the retry
    f.stop();
    expect(vi.getTimerCount()).toBe(0); // cleared, not left to fire
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("the window's watchers see the link reconnecting while the first read fails, then realtime", async () => {
    vi.useFakeTimers();
    let fails = 1;
    const app = {
      GetJob: vi.fn(async () => {
        if (fails-- > 0) return Promise.reject('The summarizer is busy.');
        return makeJob({ id: 'j1', status: 'running', progress: 1 });
      }),
    };
    const { win } = fakeWindow(app);
    const t = createTransport(win);
    const got: Job[] = [];
    const onLink = vi.fn();
    t.watchJob('j1', { onJob: (j) => got.push(j), onLink });
    await vi.advanceTimersByTimeAsync(0);
    expect(onLink.mock.calls).toEqual([['realtime'], ['reconnecting', 'The summarizer is busy.']]);
    expect(got).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(app.GetJob).toHaveBeenCalledTimes(2);
    expect(got).toHaveLength(1);
    expect(onLink.mock.lastCall?.[0]).toBe('realtime');
    expect(onLink.mock.lastCall?.[1]).toBeUndefined(); // no sentence with it
  });
});

describe('mergeItem', () => {
  it('replaces only the same item at the same position: the same video twice is two items', () => {
    const a = makeVideo('dQw4w9WgXcQ');
    let job: Job | null = makeJob({ id: 'j', results: [] });
    job = mergeItem(job!, { job_id: 'j', link_index: 0, video_index: null, item: a });
    job = mergeItem(job!, { job_id: 'j', link_index: 1, video_index: null, item: { ...a } }); // the same video again
    expect(job!.results).toHaveLength(2);
    // A repeat of an item the copy was read with is replaced where it is.
    job = mergeItem(job!, { job_id: 'j', link_index: 1, video_index: null, item: { ...a, summary: 'again' } });
    expect(job!.results).toHaveLength(2);
    expect((job!.results[1] as typeof a).summary).toBe('again');
    // Inside a playlist too.
    const pl: PlaylistItem = { type: 'playlist', playlist_id: 'PL1', title: 'P', error: null, summaries: [a] };
    job = mergeItem(makeJob({ id: 'j', results: [pl] }), { job_id: 'j', link_index: 0, video_index: 1, item: { ...a } });
    expect((job!.results[0] as PlaylistItem).summaries).toHaveLength(2);
  });
});
