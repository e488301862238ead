// A small stand-in for `ytsum serve` (API.md §5–§6) so the UI and the e2e script can be
// exercised before / without the Go server. Usage: node e2e/mock-server.mjs [port] [distDir]
// Prints "listening on http://HOST:PORT" like the real server.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const port = Number(process.argv[2] ?? 0);
const dist = process.argv[3] ?? fileURLToPath(new URL('../dist', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

const now = () => new Date().toISOString();
const summaries = new Map(); // video_id -> item
const jobs = new Map();
const streams = new Map(); // job id -> Set(res)
let seq = 0;
const settings = { data_dir: '/tmp/ytsum', worker_pool_size: { value: 4, label: 'Worker pool size', help: 'Goroutines that run jobs.', type: 'int', min: 1, max: 64, group: 'Jobs' },
  gemini_api_key: { set: true, last4: 'abcd' }, openai_api_key: { set: false }, tts_voice: 'en-US-Chirp3-HD-Zephyr', debug: false,
  keychain: { available: true, backend: 'mock' } };

function video(id, title) {
  const text = `## ${title}\n\n- The **mock** summary of ${title} mentions banana at [0:30] and [1:02:03].\n- Second point.\n`;
  return { type: 'video', video_id: id, title, thumbnail_url: '', summary: text, video_url: `https://www.youtube.com/watch?v=${id}`,
    error: null, channel: 'Mock Channel', duration_seconds: 212, model_used: 'gemini-2.5-flash', summarized_at: now(), source: 'generated' };
}

function jobJSON(j) {
  return { id: j.id, type: 'summarize', status: j.status, created_at: j.created_at, started_at: j.started_at, completed_at: j.completed_at,
    progress: j.progress, total_items: j.total_items, current_item: j.current_item, results: j.results, error: null, metadata: j.metadata };
}
function publish(j) {
  seq++;
  for (const res of streams.get(j.id) ?? []) {
    res.write(`id: ${seq}\ndata: ${JSON.stringify(jobJSON(j))}\n\n`);
    if (['completed', 'failed', 'cancelled'].includes(j.status)) res.end();
  }
}
function delta(j, vid, text) {
  for (const res of streams.get(j.id) ?? []) res.write(`event: summary_delta\ndata: ${JSON.stringify({ job_id: j.id, video_id: vid, delta: text })}\n\n`);
}

function startJob(urls, meta) {
  const id = `job${jobs.size + 1}-${Date.now().toString(36)}`;
  const plan = []; // [{playlist?, vid, title}]
  const results = [];
  for (const u of urls) {
    const url = new URL(u, 'https://www.youtube.com');
    const list = url.searchParams.get('list');
    const v = url.searchParams.get('v');
    if (list && (!v || meta.prefer_playlist)) {
      const pl = { type: 'playlist', playlist_id: list, title: `Playlist ${list}`, summaries: [], error: null };
      results.push(pl);
      for (const n of [1, 2, 3]) plan.push({ pl, vid: `${list.slice(0, 6)}vid${n}`.padEnd(11, 'x').slice(0, 11), title: `Playlist video ${n}` });
    } else if (v) plan.push({ vid: v, title: `Video ${v}`, url: u });
    else results.push({ type: 'error', url: u, error: 'This is not a YouTube video or playlist link.' });
  }
  const j = { id, status: 'pending', created_at: now(), started_at: null, completed_at: null, progress: 0, total_items: plan.length,
    current_item: null, results, metadata: { urls, model: meta.model ?? 'gemini-2.5-flash', ...meta }, timer: null };
  jobs.set(id, j);
  const slow = urls.some((u) => u.includes('slow'));
  let i = 0;
  const step = () => {
    if (j.status === 'cancelled') return;
    if (j.status === 'pending') { j.status = 'running'; j.started_at = now(); }
    const p = plan[i];
    if (!p) {
      j.status = 'completed'; j.completed_at = now(); j.current_item = null; publish(j); return;
    }
    j.current_item = `https://www.youtube.com/watch?v=${p.vid}`;
    publish(j);
    delta(j, p.vid, 'Writing the summary… ');
    j.timer = setTimeout(() => {
      if (j.status === 'cancelled') return;
      const item = video(p.vid, p.title);
      summaries.set(p.vid, item);
      if (p.pl) { const { type: _t, ...rest } = item; p.pl.summaries.push(rest); } else results.push(item);
      j.progress++; i++;
      publish(j);
      j.timer = setTimeout(step, slow ? 5000 : 150);
    }, slow ? 5000 : 250);
  };
  j.timer = setTimeout(step, 100);
  return j;
}

function wav(seconds = 2) {
  const rate = 8000, n = rate * seconds, buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0); buf.writeUInt32LE(36 + n * 2, 4); buf.write('WAVE', 8); buf.write('fmt ', 12);
  buf.writeUInt32LE(16, 16); buf.writeUInt16LE(1, 20); buf.writeUInt16LE(1, 22); buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28); buf.writeUInt16LE(2, 32); buf.writeUInt16LE(16, 34); buf.write('data', 36); buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(Math.sin((i / rate) * 2 * Math.PI * 440) * 3000), 44 + i * 2);
  return buf;
}

const json = (res, status, body) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
const body = (req) => new Promise((ok) => { let s = ''; req.on('data', (c) => (s += c)); req.on('end', () => { try { ok(JSON.parse(s || '{}')); } catch { ok({}); } }); });

const server = createServer(async (req, res) => {
  const u = new URL(req.url, 'http://x');
  const p = u.pathname;
  const m = req.method;
  let mm;
  if (m === 'GET' && p === '/login_status') return json(res, 200, { login_enabled: false, authenticated: true });
  if (m === 'GET' && p === '/api_status') return json(res, 200, { async_processing_enabled: true, sse_enabled: true, available_models: ['gemini-2.5-flash'],
    models: [{ key: 'gemini-2.5-flash', provider: 'gemini', display_name: 'Gemini 2.5 Flash', available: true }, { key: 'gpt-5', provider: 'openai', display_name: 'GPT-5', available: false }],
    google_api_key_set: true, openai_api_key_set: false, tts_available: true, version: 'mock' });
  if (m === 'POST' && (p === '/summarize' || p === '/summarize_async')) {
    const b = await body(req);
    const urls = Array.isArray(b.urls) ? b.urls : String(b.urls ?? '').split('\n').filter(Boolean);
    if (!urls.length) return json(res, 400, { error: 'Paste at least one link.', code: 'invalid' });
    const { urls: _u, force_sync: _fs, force_async: _fa, ...meta } = b;
    const j = startJob(urls, meta);
    return json(res, 202, { mode: 'async', job_id: j.id, status: 'accepted', message: 'Job submitted for processing', stream_url: `/jobs/${j.id}/stream`, status_url: `/jobs/${j.id}` });
  }
  if (m === 'GET' && p === '/jobs') return json(res, 200, { jobs: [...jobs.values()].reverse().map(jobJSON) });
  if ((mm = /^\/jobs\/([^/]+)(\/stream|\/cancel)?$/.exec(p))) {
    const j = jobs.get(mm[1]);
    if (!j) return json(res, 404, { error: 'Job not found', code: 'not_found' });
    if (!mm[2] && m === 'GET') return json(res, 200, jobJSON(j));
    if (mm[2] === '/cancel' && m === 'POST') {
      if (['completed', 'failed', 'cancelled'].includes(j.status)) return json(res, 409, { error: 'This job has already finished.', code: 'conflict' });
      clearTimeout(j.timer); j.status = 'cancelled'; j.completed_at = now(); j.current_item = null; publish(j);
      return json(res, 200, { message: 'Job cancelled', job: jobJSON(j) });
    }
    if (mm[2] === '/stream' && m === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
      res.write(`id: ${++seq}\ndata: ${JSON.stringify(jobJSON(j))}\n\n`);
      if (['completed', 'failed', 'cancelled'].includes(j.status)) return res.end();
      const set = streams.get(j.id) ?? new Set(); set.add(res); streams.set(j.id, set);
      const hb = setInterval(() => res.write(`data: {"type":"heartbeat","timestamp":${Math.floor(Date.now() / 1000)}}\n\n`), 5000);
      req.on('close', () => { clearInterval(hb); set.delete(res); });
      return;
    }
  }
  if (m === 'GET' && p === '/get_cached_summaries') {
    const all = [...summaries.values()].reverse();
    const page = Number(u.searchParams.get('page') ?? 1), per = Math.min(100, Number(u.searchParams.get('per_page') ?? 10));
    return json(res, 200, { summaries: all.slice((page - 1) * per, page * per), total: all.length, page, per_page: per, total_pages: Math.max(1, Math.ceil(all.length / per)) });
  }
  if (m === 'GET' && p === '/search_summaries') {
    const q = (u.searchParams.get('q') ?? '').toLowerCase();
    if (!q) return json(res, 400, { error: 'Type something to search for.', code: 'invalid' });
    return json(res, 200, [...summaries.values()].filter((s) => (s.title + s.summary).toLowerCase().includes(q)));
  }
  if (m === 'DELETE' && p === '/delete_summary') {
    const b = await body(req);
    if (!summaries.delete(b.video_id)) return json(res, 404, { error: 'No such summary.', code: 'not_found' });
    return json(res, 200, { success: true, message: 'Deleted' });
  }
  if (m === 'POST' && (p === '/speak' || p === '/preview-voice')) { res.writeHead(200, { 'Content-Type': 'audio/wav' }); return res.end(wav(3)); }
  if (m === 'GET' && p === '/api/voices') return json(res, 200, { voices: { 'en-US-Chirp3-HD-Zephyr': { display_name: 'Zephyr', gender: 'F', tier: 'chirp3-hd', style: 'narrative' }, 'en-US-Neural2-J': { display_name: 'Neural2 J', gender: 'M', tier: 'neural2' } }, tiers: {}, current_voice: 'en-US-Chirp3-HD-Zephyr', default_voice: 'en-US-Chirp3-HD-Zephyr' });
  if (m === 'GET' && p === '/settings') return json(res, 200, settings);
  if (m === 'POST' && p === '/settings') {
    const b = await body(req);
    if (b.worker_pool_size !== undefined && !(b.worker_pool_size >= 1 && b.worker_pool_size <= 64)) return json(res, 400, { error: 'Some settings are not valid.', code: 'invalid', fields: { worker_pool_size: 'Choose between 1 and 64 workers.' } });
    for (const [k, v] of Object.entries(b)) { if (settings[k] && typeof settings[k] === 'object' && 'value' in settings[k]) settings[k].value = v; else if (k.endsWith('_key')) settings[k] = { set: Boolean(v), last4: String(v).slice(-4) }; else settings[k] = v; }
    return json(res, 200, settings);
  }
  if (m === 'GET' && p === '/system_health') return json(res, 200, { status: 'healthy', timestamp: now(), metrics: { job_queue_size: 0 }, alerts: [] });
  if (m === 'GET' && p === '/performance_metrics') return json(res, 200, { sync_requests: 0, async_requests: jobs.size, active_jobs: 0, resource_usage: { goroutines: 12 }, timestamp: now() });
  if (p === '/api/cache/status') return json(res, 200, { files: 0, bytes: 0 });
  if (p === '/admin/backups') return json(res, 200, { backups: [] });
  if (p.startsWith('/thumbnails/')) {
    res.writeHead(200, { 'Content-Type': 'image/svg+xml' });
    return res.end('<svg xmlns="http://www.w3.org/2000/svg" width="160" height="90"><rect width="160" height="90" fill="#888"/></svg>');
  }
  if (m === 'GET' && !p.includes('..')) {
    const file = join(dist, normalize(p === '/' ? '/index.html' : p));
    try {
      const data = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      return res.end(data);
    } catch { /* 404 below */ }
  }
  json(res, 404, { error: 'Not found', code: 'not_found' });
});
server.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(0));
