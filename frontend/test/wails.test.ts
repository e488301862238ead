import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/lib/api/errors';
import { createTransport } from '../src/lib/api';
import { HttpTransport } from '../src/lib/api/http';
import { WailsTransport, type WailsApp } from '../src/lib/api/wails';
import { flush, makeJob } from './helpers';

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

  it('watchJob follows `job` and `summary_delta` events for its id only and catches up with GetJob', async () => {
    const app = { GetJob: vi.fn(async () => makeJob({ progress: 0 })) };
    const { win, emit, runtime } = fakeWindow(app);
    const t = createTransport(win);
    const jobs: number[] = [];
    const deltas: string[] = [];
    const stop = t.watchJob('j1', { onJob: (j) => jobs.push(j.progress), onDelta: (d) => deltas.push(d.delta) });
    await flush();
    emit('job', makeJob({ progress: 1 }));
    emit('job', makeJob({ id: 'other', progress: 9 }));
    emit('summary_delta', { job_id: 'j1', video_id: 'v', delta: 'abc' });
    emit('summary_delta', { job_id: 'other', video_id: 'v', delta: 'zzz' });
    emit('job', JSON.stringify(makeJob({ progress: 2 }))); // a string payload works too
    expect(jobs).toEqual([0, 1, 2]);
    expect(deltas).toEqual(['abc']);
    stop();
    emit('job', makeJob({ progress: 3 }));
    expect(jobs).toEqual([0, 1, 2]);
    expect(runtime.EventsOn).toHaveBeenCalledTimes(3); // one listener per event name (job, subscription, summary_delta), shared
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
