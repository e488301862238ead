import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/lib/api/errors';
import { watchJobLive, type LiveOptions } from '../src/lib/api/live';
import type { ConnectionMethod, LinkState } from '../src/lib/api/transport';
import type { Job } from '../src/lib/api/types';
import { FakeEventSource, flush, makeJob } from './helpers';

function setup(method: ConnectionMethod = 'auto', extra: Partial<LiveOptions> = {}, fetchImpl?: ReturnType<typeof vi.fn<(id: string) => Promise<Job>>>) {
  const jobs: Job[] = [];
  const links: LinkState[] = [];
  const deltas: string[] = [];
  let gone = false;
  const fetchJob = fetchImpl ?? vi.fn(async (_id: string) => makeJob({ progress: 1 }));
  const stop = watchJobLive('j1', {
    onJob: (j) => jobs.push(j),
    onDelta: (d) => deltas.push(d.delta),
    onLink: (s) => links.push(s),
    onGone: () => { gone = true; },
  }, {
    streamURL: (id) => `/jobs/${id}/stream`,
    fetchJob,
    method: () => method,
    sseEnabled: () => undefined,
    eventSource: (url) => new FakeEventSource(url),
    pollIntervalMs: 2000,
    staleAfterMs: 30_000,
    maxFailures: 3,
    ...extra,
  });
  return { jobs, links, deltas, fetchJob, stop, gone: () => gone };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeEventSource.all = [];
});
afterEach(() => vi.useRealTimers());

describe('SSE', () => {
  it('delivers jobs and deltas, ignores heartbeats, stops at a terminal status', () => {
    const t = setup();
    const es = FakeEventSource.last();
    expect(es.url).toBe('/jobs/j1/stream');
    es.open();
    es.send(makeJob({ progress: 1 }));
    es.send({ type: 'heartbeat', timestamp: 1 });
    es.send({ job_id: 'j1', video_id: 'v', delta: 'Hello ' }, 'summary_delta');
    es.send({ job_id: 'j1', video_id: 'v', delta: 'world' }, 'summary_delta');
    es.send(makeJob({ status: 'completed', progress: 3 }));
    expect(t.jobs.map((j) => j.status)).toEqual(['running', 'completed']);
    expect(t.deltas.join('')).toBe('Hello world');
    expect(es.closed).toBe(true);
    expect(t.links.at(-1)).toBe('closed');
    expect(t.fetchJob).not.toHaveBeenCalled();
  });

  it('a dropped stream that the browser reconnects stays real-time', () => {
    const t = setup();
    const es = FakeEventSource.last();
    es.open();
    es.drop();
    expect(t.links.at(-1)).toBe('reconnecting');
    es.open();
    es.send(makeJob({ progress: 2 }));
    expect(t.links.at(-1)).toBe('realtime');
    expect(FakeEventSource.all).toHaveLength(1);
    expect(t.jobs).toHaveLength(1);
  });

  it('a closed stream is reopened with backoff', () => {
    const t = setup();
    FakeEventSource.last().open();
    FakeEventSource.last().fail();
    expect(FakeEventSource.all).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(FakeEventSource.all).toHaveLength(2);
    FakeEventSource.last().open();
    FakeEventSource.last().send(makeJob());
    expect(t.links.at(-1)).toBe('realtime');
  });
});

describe('fallback to polling (auto)', () => {
  it('after repeated failures', async () => {
    const t = setup();
    const es = FakeEventSource.last();
    es.open();
    es.drop();
    es.drop();
    es.drop();
    expect(es.closed).toBe(true);
    expect(t.links).toContain('polling');
    await flush();
    expect(t.fetchJob).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.fetchJob).toHaveBeenCalledTimes(2);
    expect(t.jobs.length).toBe(2);
  });

  it('when the stream never opens (SSE disabled → 404)', async () => {
    const t = setup();
    FakeEventSource.last().fail();
    expect(t.links.at(-1)).toBe('polling');
    await flush();
    expect(t.fetchJob).toHaveBeenCalledTimes(1);
  });

  it('when heartbeats go stale', async () => {
    const t = setup();
    const es = FakeEventSource.last();
    es.open();
    await vi.advanceTimersByTimeAsync(20_000);
    es.send({ type: 'heartbeat', timestamp: 1 });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(es.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(es.closed).toBe(true);
    expect(t.links).toContain('polling');
    expect(t.fetchJob).toHaveBeenCalled();
  });

  it('when the server says SSE is off, polls from the start', async () => {
    const t = setup('auto', { sseEnabled: () => false });
    expect(FakeEventSource.all).toHaveLength(0);
    await flush();
    expect(t.fetchJob).toHaveBeenCalledTimes(1);
  });

  it('polling stops at a terminal status', async () => {
    const f = vi.fn<(id: string) => Promise<Job>>().mockResolvedValueOnce(makeJob({ progress: 1 })).mockResolvedValueOnce(makeJob({ status: 'cancelled' }));
    const t = setup('periodic', {}, f);
    await flush();
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.jobs.map((j) => j.status)).toEqual(['running', 'cancelled']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.fetchJob).toHaveBeenCalledTimes(2);
  });

  it('polling survives errors with backoff and reports a purged job as gone', async () => {
    const f = vi.fn<(id: string) => Promise<Job>>()
      .mockRejectedValueOnce(new ApiError('offline', { code: 'unavailable' }))
      .mockRejectedValueOnce(new ApiError('Job not found', { code: 'not_found', status: 404 }));
    const t = setup('periodic', {}, f);
    await flush();
    expect(t.links.at(-1)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.gone()).toBe(true);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(t.fetchJob).toHaveBeenCalledTimes(2);
  });
});

describe('explicit methods', () => {
  it('real-time never falls back, it reconnects', () => {
    const t = setup('realtime');
    for (let i = 0; i < 5; i++) {
      FakeEventSource.last().fail();
      vi.advanceTimersByTime(30_000);
    }
    expect(t.fetchJob).not.toHaveBeenCalled();
    expect(FakeEventSource.all.length).toBe(6);
    expect(t.links).not.toContain('polling');
  });

  it('periodic never opens a stream', async () => {
    const t = setup('periodic');
    await flush();
    expect(FakeEventSource.all).toHaveLength(0);
    expect(t.links[0]).toBe('polling');
  });

  it('stop() closes everything and no callback follows', async () => {
    const t = setup();
    const es = FakeEventSource.last();
    es.open();
    t.stop();
    expect(es.closed).toBe(true);
    const n = t.links.length;
    await vi.advanceTimersByTimeAsync(120_000);
    expect(t.links.length).toBe(n);
  });
});
