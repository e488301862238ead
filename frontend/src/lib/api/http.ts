import { ApiError, codeForStatus, fromBody, toApiError } from './errors';
import { watchJobLive, type EventSourceFactory } from './live';
import {
  downloadBlob,
  type AudioClip, type Capabilities, type ConnectionMethod, type JobWatcher, type ProcessingMode, type Transport,
} from './transport';
import type {
  AskAccepted, AskRequest, Conversation,
  CheckResult, FollowRequest, SearchFilter, Subscription, SubscriptionPatch,
  ApiStatus, Diagnosis, ExportedFile, ImportResult, Job, JSONObject, LibraryQuery, LibraryStatus, Page, ResultItem, SpeakRequest,
  SummarizeOutcome, SummarizeRequest, VideoItem, VoicesResponse,
} from './types';

export interface HttpOptions {
  /** Prefix for API routes; '' = same origin as the page. */
  baseURL?: string;
  fetch?: typeof fetch;
  eventSource?: EventSourceFactory;
  connectionMethod?: ConnectionMethod;
  processingMode?: ProcessingMode;
  pollIntervalMs?: number;
  staleAfterMs?: number;
  maxFailures?: number;
  /** Called on any 401, so the UI can ask for the passcode. */
  onUnauthorized?: () => void;
}

type Accept = 'json' | 'blob' | 'text';

/** HttpTransport speaks API.md §5–§6: fetch, EventSource and polling. */
export class HttpTransport implements Transport {
  readonly capabilities: Capabilities = { nativeDialogs: false, connectionChoice: true, login: true };
  private readonly base: string;
  private readonly f: typeof fetch;
  private readonly es: EventSourceFactory | undefined;
  private method: ConnectionMethod;
  private mode: ProcessingMode;
  private sse: boolean | undefined;
  private readonly o: HttpOptions;

  constructor(o: HttpOptions = {}) {
    this.o = o;
    this.base = (o.baseURL ?? '').replace(/\/$/, '');
    const f = o.fetch ?? (typeof fetch === 'function' ? fetch : undefined);
    if (!f) throw new Error('fetch is not available');
    this.f = f.bind(globalThis);
    this.es = o.eventSource ?? (typeof EventSource === 'function' ? (url) => new EventSource(url, { withCredentials: true }) : undefined);
    this.method = o.connectionMethod ?? 'auto';
    this.mode = o.processingMode ?? 'auto';
  }

  setConnectionMethod(m: ConnectionMethod): void {
    this.method = m;
  }
  setProcessingMode(m: ProcessingMode): void {
    this.mode = m;
  }

  private async req<T>(method: string, path: string, body?: unknown, accept: Accept = 'json'): Promise<T> {
    let res: Response;
    try {
      const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: accept === 'json' ? 'application/json' : '*/*' } };
      if (body !== undefined) {
        init.body = JSON.stringify(body);
        (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
      }
      res = await this.f(this.base + path, init);
    } catch (e) {
      throw toApiError(e);
    }
    if (!res.ok) {
      const ra = res.headers.get('Retry-After');
      const retry = ra !== null && ra !== '' && !Number.isNaN(Number(ra)) ? Number(ra) : undefined;
      let decoded: unknown = null;
      try {
        const text = await res.text();
        try {
          decoded = JSON.parse(text);
        } catch {
          decoded = null;
        }
      } catch {
        /* body unreadable */
      }
      const err = decoded ? fromBody(decoded, res.status, retry) : new ApiError(statusSentence(res.status), { status: res.status, code: codeForStatus(res.status), ...(retry !== undefined ? { retryAfter: retry } : {}) });
      if (res.status === 401) this.o.onUnauthorized?.();
      throw err;
    }
    if (accept === 'blob') return (await res.blob()) as T;
    if (accept === 'text') return (await res.text()) as T;
    const text = await res.text();
    if (!text) return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError('The server sent an answer that is not JSON. Is this the summarizer service?', { code: 'internal', status: res.status });
    }
  }

  async summarize(r: SummarizeRequest): Promise<SummarizeOutcome> {
    const body: Record<string, unknown> = { ...r };
    if (this.mode === 'async') body.force_async = true;
    if (this.mode === 'sync') body.force_sync = true;
    const out = await this.req<Record<string, unknown>>('POST', '/summarize', body);
    if (typeof out.job_id === 'string') {
      const res: SummarizeOutcome = { mode: 'async', job_id: out.job_id };
      if (typeof out.message === 'string') res.message = out.message;
      if (typeof out.estimated_time === 'number' || typeof out.estimated_time === 'string') res.estimated_time = out.estimated_time;
      return res;
    }
    return { mode: 'sync', results: Array.isArray(out.results) ? (out.results as ResultItem[]) : [] };
  }

  getJob(id: string): Promise<Job> {
    return this.req('GET', `/jobs/${encodeURIComponent(id)}`);
  }

  async listJobs(status = '', limit = 20): Promise<Job[]> {
    const q = new URLSearchParams();
    if (status) q.set('status', status);
    q.set('limit', String(limit));
    const out = await this.req<{ jobs?: Job[] }>('GET', `/jobs?${q}`);
    return out.jobs ?? [];
  }

  async cancelJob(id: string): Promise<Job | null> {
    const out = await this.req<{ job?: Job }>('POST', `/jobs/${encodeURIComponent(id)}/cancel`);
    return out.job ?? null;
  }

  watchJob(id: string, w: JobWatcher): () => void {
    return watchJobLive(id, w, {
      streamURL: (j) => `${this.base}/jobs/${encodeURIComponent(j)}/stream`,
      fetchJob: (j) => this.getJob(j),
      method: () => this.method,
      sseEnabled: () => this.sse,
      eventSource: this.es,
      ...(this.o.pollIntervalMs !== undefined ? { pollIntervalMs: this.o.pollIntervalMs } : {}),
      ...(this.o.staleAfterMs !== undefined ? { staleAfterMs: this.o.staleAfterMs } : {}),
      ...(this.o.maxFailures !== undefined ? { maxFailures: this.o.maxFailures } : {}),
    });
  }

  async apiStatus(): Promise<ApiStatus> {
    const s = await this.req<ApiStatus>('GET', '/api_status');
    if (typeof s.sse_enabled === 'boolean') this.sse = s.sse_enabled;
    return s;
  }

  cachedSummaries(q: LibraryQuery): Promise<Page<VideoItem>> {
    const p = new URLSearchParams({ page: String(q.page), per_page: String(q.perPage) });
    if (q.sort) p.set('sort', q.sort);
    if (q.channel) p.set('channel', q.channel);
    if (q.model) p.set('model', q.model);
    if (q.subscription) p.set('subscription', q.subscription);
    if (q.new) p.set('new', '1');
    return this.req('GET', `/get_cached_summaries?${p}`);
  }

  async listSubscriptions(): Promise<Subscription[]> {
    return (await this.req<{ subscriptions?: Subscription[] }>('GET', '/subscriptions')).subscriptions ?? [];
  }
  follow(r: FollowRequest): Promise<Subscription> {
    return this.req('POST', '/subscriptions', r);
  }
  updateSubscription(id: string, patch: SubscriptionPatch): Promise<Subscription> {
    return this.req('PATCH', `/subscriptions/${encodeURIComponent(id)}`, patch);
  }
  async unfollow(id: string): Promise<void> {
    await this.req('DELETE', `/subscriptions/${encodeURIComponent(id)}`);
  }
  checkSubscription(id: string): Promise<CheckResult> {
    return this.req('POST', `/subscriptions/${encodeURIComponent(id)}/check`);
  }
  async markOpened(videoId: string): Promise<void> {
    await this.req('POST', `/library/${encodeURIComponent(videoId)}/opened`);
  }

  async searchSummaries(q: string, filter?: SearchFilter): Promise<VideoItem[]> {
    const p = new URLSearchParams({ q });
    if (filter?.subscription) p.set('subscription', filter.subscription);
    if (filter?.new) p.set('new', '1');
    const out = await this.req<VideoItem[] | { results?: VideoItem[] }>('GET', `/search_summaries?${p.toString()}`);
    return Array.isArray(out) ? out : (out.results ?? []);
  }

  ask(r: AskRequest): Promise<AskAccepted> {
    const body: AskRequest = { ...r };
    delete body.force_sync;
    return this.req('POST', '/ask', body);
  }

  async conversations(videoId?: string): Promise<Conversation[]> {
    const q = videoId ? `?video_id=${encodeURIComponent(videoId)}` : '';
    return (await this.req<{ conversations?: Conversation[] }>('GET', `/conversations${q}`)).conversations ?? [];
  }

  async deleteConversation(id: string): Promise<void> {
    await this.req('DELETE', `/conversations/${encodeURIComponent(id)}`);
  }

  async deleteSummary(videoId: string): Promise<void> {
    await this.req('DELETE', '/delete_summary', { video_id: videoId });
  }

  thumbnailURL(videoId: string): string {
    return `${this.base}/thumbnails/${encodeURIComponent(videoId)}`;
  }

  async speak(r: SpeakRequest): Promise<AudioClip> {
    return { blob: await this.req<Blob>('POST', '/speak', r, 'blob') };
  }
  async previewVoice(voiceId: string, text: string): Promise<AudioClip> {
    return { blob: await this.req<Blob>('POST', '/preview-voice', { voice_id: voiceId, text }, 'blob') };
  }
  voices(): Promise<VoicesResponse> {
    return this.req('GET', '/api/voices');
  }

  libraryStatus(): Promise<LibraryStatus> {
    return this.req('GET', '/library/status');
  }
  cacheStatus(): Promise<JSONObject> {
    return this.req('GET', '/api/cache/status');
  }
  cacheCleanup(): Promise<JSONObject> {
    return this.req('POST', '/api/cache/cleanup', {});
  }
  getSettings(): Promise<JSONObject> {
    return this.req('GET', '/settings');
  }
  saveSettings(patch: JSONObject): Promise<JSONObject> {
    return this.req('POST', '/settings', patch);
  }
  async revealAPIToken(): Promise<string> {
    return (await this.req<{ token: string }>('POST', '/settings/api_token/reveal', {})).token;
  }
  async rotateAPIToken(): Promise<string> {
    return (await this.req<{ token: string }>('POST', '/settings/api_token/rotate', {})).token;
  }
  performanceMetrics(): Promise<JSONObject> {
    return this.req('GET', '/performance_metrics');
  }
  systemHealth(): Promise<JSONObject> {
    return this.req('GET', '/system_health');
  }
  backups(): Promise<JSONObject> {
    return this.req('GET', '/admin/backups');
  }
  createBackup(): Promise<JSONObject> {
    return this.req('POST', '/admin/backups', {});
  }
  diagnose(url: string): Promise<Diagnosis> {
    return this.req('POST', '/diagnose', { url });
  }

  async exportSummary(videoId: string, format: 'md' | 'txt' | 'json'): Promise<ExportedFile> {
    const content = await this.req<string>('GET', `/export/${encodeURIComponent(videoId)}?format=${format}`, undefined, 'text');
    return { filename: `${videoId}.${format}`, content };
  }
  async exportLibrary(format: 'md' | 'json'): Promise<string> {
    const blob = await this.req<Blob>('GET', `/export?format=${format}`, undefined, 'blob');
    const name = `ytsum-library.${format}`;
    downloadBlob(name, blob);
    return `Downloaded ${name}.`;
  }
  importOriginal(path?: string): Promise<ImportResult> {
    return this.req('POST', '/import', { path: path ?? '' });
  }

  async saveFile(filename: string, data: Blob): Promise<void> {
    downloadBlob(filename, data);
  }
  openExternal(url: string): void {
    window.open(url, '_blank', 'noopener,noreferrer');
  }
  async copyText(text: string): Promise<void> {
    await copyToClipboard(text);
  }

  async loginStatus(): Promise<{ login_enabled: boolean; authenticated: boolean }> {
    const s = await this.req<Record<string, unknown>>('GET', '/login_status');
    const enabled = s.login_enabled ?? s.login_required ?? s.enabled ?? false;
    return { login_enabled: Boolean(enabled), authenticated: Boolean(s.authenticated ?? !enabled) };
  }
  async login(passcode: string): Promise<void> {
    await this.req('POST', '/login', { passcode });
  }
  async logout(): Promise<void> {
    await this.req('POST', '/logout', {});
  }
}

function statusSentence(status: number): string {
  switch (status) {
    case 401: return 'Please log in first.';
    case 403: return 'The server refused this request.';
    case 404: return 'Not found.';
    case 413: return 'That request is too large.';
    case 429: return 'Too many requests; please wait a moment.';
    case 503: return 'The summarizer is busy; please try again shortly.';
    default: return `The server answered with an error (${status}).`;
  }
}

/** Clipboard API with a textarea fallback (older webviews, non-secure contexts). */
export async function copyToClipboard(text: string): Promise<void> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return;
    }
  } catch {
    /* fall through */
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  const ok = document.execCommand?.('copy');
  ta.remove();
  if (!ok) throw new ApiError('Copying is not allowed here; select the text and copy it by hand.');
}
