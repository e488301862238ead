import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/lib/api/errors';
import { HttpTransport } from '../src/lib/api/http';
import { FakeEventSource, flush, makeJob } from './helpers';

type Call = { url: string; init: RequestInit };

function fakeFetch(routes: Record<string, (c: Call) => Response | Promise<Response>>) {
  const calls: Call[] = [];
  const f = vi.fn(async (url: string, init: RequestInit = {}) => {
    const c = { url, init };
    calls.push(c);
    const key = `${init.method ?? 'GET'} ${url.split('?')[0]}`;
    const h = routes[key];
    if (!h) return new Response(JSON.stringify({ error: 'Not found', code: 'not_found' }), { status: 404 });
    return h(c);
  });
  return { f: f as unknown as typeof fetch, calls };
}
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

beforeEach(() => {
  FakeEventSource.all = [];
});

describe('HttpTransport requests', () => {
  it('summarize: JSON body, async answer, processing mode flags', async () => {
    const { f, calls } = fakeFetch({ 'POST /summarize': () => json({ mode: 'async', job_id: 'j9', status: 'accepted', estimated_time: 30 }, 202) });
    const t = new HttpTransport({ fetch: f });
    expect(await t.summarize({ urls: ['u'], prefer_playlist: true })).toEqual({ mode: 'async', job_id: 'j9', estimated_time: 30 });
    const c0 = calls[0]!;
    expect((c0.init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(JSON.parse(String(c0.init.body))).toEqual({ urls: ['u'], prefer_playlist: true });
    t.setProcessingMode('sync');
    await t.summarize({ urls: ['u'] });
    expect(JSON.parse(String(calls[1]!.init.body)).force_sync).toBe(true);
    t.setProcessingMode('async');
    await t.summarize({ urls: ['u'] });
    expect(JSON.parse(String(calls[2]!.init.body)).force_async).toBe(true);
  });

  it('summarize: sync answer gives results', async () => {
    const { f } = fakeFetch({ 'POST /summarize': () => json({ mode: 'sync', results: [{ type: 'error', url: 'x', error: 'bad' }] }) });
    expect(await new HttpTransport({ fetch: f }).summarize({ urls: ['x'] })).toEqual({ mode: 'sync', results: [{ type: 'error', url: 'x', error: 'bad' }] });
  });

  it('errors become ApiError with code, fields and Retry-After', async () => {
    const { f } = fakeFetch({
      'POST /settings': () => json({ error: 'Some settings are not valid.', code: 'invalid', fields: { worker_pool_size: 'Choose 1–64.' } }, 400),
      'POST /summarize': () => json({ error: 'Too many jobs.', code: 'unavailable' }, 503, { 'Retry-After': '7' }),
      'GET /api_status': () => new Response('<html>proxy error</html>', { status: 502 }),
    });
    const t = new HttpTransport({ fetch: f });
    const e1 = await t.saveSettings({ worker_pool_size: 0 }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ApiError);
    expect((e1 as ApiError).fields).toEqual({ worker_pool_size: 'Choose 1–64.' });
    expect((e1 as ApiError).code).toBe('invalid');
    const e2 = (await t.summarize({ urls: ['u'] }).catch((e: unknown) => e)) as ApiError;
    expect(e2.retryAfter).toBe(7);
    expect(e2.message).toBe('Too many jobs.');
    const e3 = (await t.apiStatus().catch((e: unknown) => e)) as ApiError;
    expect(e3.code).toBe('unavailable');
    expect(e3.message).not.toContain('<html>');
  });

  it('network failure is a sentence, not a TypeError', async () => {
    const f = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    const e = (await new HttpTransport({ fetch: f }).listJobs().catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe('unavailable');
  });

  it('401 calls onUnauthorized', async () => {
    const { f } = fakeFetch({ 'GET /jobs': () => json({ error: 'Please log in.', code: 'unauthorized' }, 401) });
    const onUnauthorized = vi.fn();
    await new HttpTransport({ fetch: f, onUnauthorized }).listJobs().catch(() => undefined);
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('library paging and search routes', async () => {
    const { f, calls } = fakeFetch({
      'GET /get_cached_summaries': () => json({ summaries: [], total: 0, page: 2, per_page: 20, total_pages: 1 }),
      'GET /search_summaries': () => json([{ video_id: 'a' }]),
      'DELETE /delete_summary': () => json({ success: true, message: 'ok' }),
    });
    const t = new HttpTransport({ fetch: f });
    await t.cachedSummaries({ page: 2, perPage: 20, sort: 'oldest', channel: 'C & D' });
    expect(calls[0]!.url).toBe('/get_cached_summaries?page=2&per_page=20&sort=oldest&channel=C+%26+D');
    expect(await t.searchSummaries('AT&T')).toEqual([{ video_id: 'a' }]);
    expect(calls[1]!.url).toBe('/search_summaries?q=AT%26T');
    await t.deleteSummary('vid');
    expect(JSON.parse(String(calls[2]!.init.body))).toEqual({ video_id: 'vid' });
  });

  it('speak returns the audio bytes as a Blob', async () => {
    const { f } = fakeFetch({ 'POST /speak': () => new Response(new Uint8Array([1, 2, 3]), { headers: { 'Content-Type': 'audio/mpeg' } }) });
    const clip = await new HttpTransport({ fetch: f }).speak({ video_id: 'v' });
    expect(clip.blob.size).toBe(3);
  });

  it('cancel returns the job; 409 is a conflict', async () => {
    const { f } = fakeFetch({
      'POST /jobs/j1/cancel': () => json({ message: 'Job cancelled', job: makeJob({ status: 'cancelled' }) }),
      'POST /jobs/j2/cancel': () => json({ error: 'Already finished.', code: 'conflict' }, 409),
    });
    const t = new HttpTransport({ fetch: f });
    expect((await t.cancelJob('j1'))?.status).toBe('cancelled');
    expect(((await t.cancelJob('j2').catch((e: unknown) => e)) as ApiError).code).toBe('conflict');
  });
});

describe('HttpTransport live updates', () => {
  it('uses EventSource on the stream URL, polling when api_status says SSE is off', async () => {
    const { f, calls } = fakeFetch({
      'GET /api_status': () => json({ sse_enabled: false, async_processing_enabled: true, available_models: [], models: [] }),
      'GET /jobs/j1': () => json(makeJob({ status: 'completed', progress: 3 })),
    });
    const t = new HttpTransport({ fetch: f, eventSource: (u) => new FakeEventSource(u) });
    const seen: string[] = [];
    t.watchJob('j1', { onJob: (j) => seen.push(j.status) })();
    expect(FakeEventSource.last().url).toBe('/jobs/j1/stream');
    await t.apiStatus();
    t.watchJob('j1', { onJob: (j) => seen.push(j.status) });
    await flush(10);
    expect(FakeEventSource.all).toHaveLength(1);
    expect(calls.some((c) => c.url === '/jobs/j1')).toBe(true);
    expect(seen).toEqual(['completed']);
  });
});
