import { ApiError, toApiError } from './errors';
import { copyToClipboard } from './http';
import { downloadBlob, type AudioClip, type Capabilities, type JobWatcher, type Transport } from './transport';
import {
  isTerminal,
  type Answer, type AskAccepted, type AskRequest, type Conversation,
  type ApiStatus, type Diagnosis, type ExportedFile, type ImportResult, type Job, type JSONObject, type LibraryQuery, type Page,
  type CheckResult, type FollowRequest, type SearchFilter, type Subscription, type SubscriptionPatch,
  type SpeakRequest, type SummarizeOutcome, type SummarizeRequest, type SummaryDelta, type VideoItem, type VoicesResponse,
} from './types';

/** The bound Go methods of app.go (BINDINGS.md). Every one returns a promise. */
export interface WailsApp {
  Summarize(body: SummarizeRequest): Promise<{ job_id: string; status?: string; message?: string }>;
  GetJob(id: string): Promise<Job>;
  ListJobs(status: string, limit: number): Promise<{ jobs: Job[] }>;
  CancelJob(id: string): Promise<{ message?: string; job?: Job }>;
  APIStatus(): Promise<ApiStatus>;
  CachedSummaries(page: number, perPage: number, sort: string, channel: string, model: string): Promise<Page<VideoItem>>;
  SearchSummaries(q: string): Promise<VideoItem[]>;
  DeleteSummary(videoID: string): Promise<unknown>;
  Speak(body: SpeakRequest): Promise<WailsAudio>;
  PreviewVoice(body: { voice_id: string; text: string }): Promise<WailsAudio>;
  Voices(): Promise<VoicesResponse>;
  CacheStatus(): Promise<JSONObject>;
  CacheCleanup(): Promise<JSONObject>;
  GetSettings(): Promise<JSONObject>;
  SaveSettings(patch: JSONObject): Promise<JSONObject>;
  RevealAPIToken(): Promise<{ token: string }>;
  RotateAPIToken(): Promise<{ token: string }>;
  PerformanceMetrics(): Promise<JSONObject>;
  SystemHealth(): Promise<JSONObject>;
  ExportSummary(videoID: string, format: string): Promise<ExportedFile>;
  ExportLibrary(format: string): Promise<{ path?: string }>;
  ImportOriginal(): Promise<ImportResult>;
  Backups(): Promise<JSONObject>;
  CreateBackup(): Promise<JSONObject>;
  Ask(body: AskRequest): Promise<AskAccepted>;
  AskNow(body: AskRequest): Promise<{ conversation_id: string; answer: Answer }>;
  Conversations(videoID: string): Promise<{ conversations: Conversation[] }>;
  DeleteConversation(id: string): Promise<{ deleted: string }>;
  Diagnose(body: { url: string }): Promise<Diagnosis>;
  /** Optional (not in BINDINGS.md yet): save dialog for a file the UI made. */
  SaveFile?(filename: string, base64: string): Promise<{ path?: string }>;
  /** Tells the Go side whether the window has focus (for OS notifications). */
  SetFocused?(focused: boolean): Promise<void>;
  // Subscriptions (app_subscriptions.go)
  ListSubscriptions(): Promise<{ subscriptions: Subscription[] }>;
  Follow(body: FollowRequest): Promise<Subscription>;
  UpdateSubscription(id: string, patch: SubscriptionPatch): Promise<Subscription>;
  Unfollow(id: string): Promise<{ success: boolean }>;
  CheckSubscription(id: string): Promise<CheckResult>;
  MarkOpened(videoID: string): Promise<{ success: boolean }>;
  SearchSubscriptionSummaries(q: { q: string; subscription?: string; new?: boolean }): Promise<VideoItem[]>;
  SubscriptionSummaries(q: { page: number; per_page: number; sort: string; channel: string; model: string; subscription?: string; new?: boolean }): Promise<Page<VideoItem>>;
}

export interface WailsAudio {
  audio_base64: string;
  content_type?: string;
  voice?: string;
  offline?: boolean;
}

/** The parts of window.runtime the UI uses. */
export interface WailsRuntime {
  EventsOn(name: string, cb: (...data: unknown[]) => void): (() => void) | void;
  EventsOff?(name: string, ...more: string[]): void;
  BrowserOpenURL?(url: string): void;
  ClipboardSetText?(text: string): Promise<boolean>;
}

/** WailsTransport calls window.go.main.App and listens to runtime events `job` and `summary_delta`. */
export class WailsTransport implements Transport {
  readonly capabilities: Capabilities = { nativeDialogs: true, connectionChoice: false, login: false };
  private readonly watchers = new Map<string, Set<JobWatcher>>();
  private readonly jobListeners = new Set<(job: Job) => void>();
  private readonly subListeners = new Set<(s: Subscription) => void>();
  private listening = false;

  constructor(private readonly app: WailsApp, private readonly rt: WailsRuntime | undefined) {
    // The window notifies the OS of finished jobs only while it is not focused.
    if (typeof window !== 'undefined' && app.SetFocused) {
      const report = (focused: boolean) => { void app.SetFocused?.(focused).catch(() => {}); };
      window.addEventListener('focus', () => report(true));
      window.addEventListener('blur', () => report(false));
    }
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toApiError(e);
    }
  }

  private listen(): void {
    if (this.listening || !this.rt) return;
    this.listening = true;
    this.rt.EventsOn('job', (data: unknown) => {
      const job = parseMaybe<Job>(data);
      if (!job || typeof job.id !== 'string') return;
      for (const w of [...(this.watchers.get(job.id) ?? [])]) w.onJob(job);
      if (isTerminal(job.status)) this.watchers.delete(job.id);
      for (const fn of [...this.jobListeners]) fn(job);
    });
    this.rt.EventsOn('subscription', (data: unknown) => {
      const sub = parseMaybe<Subscription>(data);
      if (!sub || typeof sub.id !== 'string') return;
      for (const fn of [...this.subListeners]) fn(sub);
    });
    this.rt.EventsOn('summary_delta', (data: unknown) => {
      const d = parseMaybe<SummaryDelta>(data);
      if (!d || typeof d.job_id !== 'string') return;
      for (const w of this.watchers.get(d.job_id) ?? []) w.onDelta?.(d);
    });
  }

  summarize(r: SummarizeRequest): Promise<SummarizeOutcome> {
    return this.call(async () => {
      const out = await this.app.Summarize(r);
      const res: SummarizeOutcome = { mode: 'async', job_id: out.job_id };
      if (out.message) res.message = out.message;
      return res;
    });
  }
  getJob(id: string): Promise<Job> {
    return this.call(() => this.app.GetJob(id));
  }
  listJobs(status = '', limit = 20): Promise<Job[]> {
    return this.call(async () => (await this.app.ListJobs(status, limit)).jobs ?? []);
  }
  cancelJob(id: string): Promise<Job | null> {
    return this.call(async () => (await this.app.CancelJob(id)).job ?? null);
  }

  watchJob(id: string, w: JobWatcher): () => void {
    this.listen();
    let set = this.watchers.get(id);
    if (!set) this.watchers.set(id, (set = new Set()));
    set.add(w);
    w.onLink?.('realtime');
    let active = true;
    // Catch up on anything emitted before we listened.
    this.getJob(id).then(
      (job) => {
        if (!active) return;
        w.onJob(job);
        if (isTerminal(job.status)) stop();
      },
      (e: unknown) => {
        if (active && e instanceof ApiError && e.code === 'not_found') {
          w.onGone?.();
          stop();
        }
      },
    );
    const stop = () => {
      active = false;
      const s = this.watchers.get(id);
      s?.delete(w);
      if (s && s.size === 0) this.watchers.delete(id);
    };
    return stop;
  }

  onJobEvent(fn: (job: Job) => void): () => void {
    this.listen();
    this.jobListeners.add(fn);
    return () => {
      this.jobListeners.delete(fn);
    };
  }

  apiStatus(): Promise<ApiStatus> {
    return this.call(() => this.app.APIStatus());
  }
  cachedSummaries(q: LibraryQuery): Promise<Page<VideoItem>> {
    if (q.subscription || q.new) {
      return this.call(() => this.app.SubscriptionSummaries({
        page: q.page, per_page: q.perPage, sort: q.sort ?? '', channel: q.channel ?? '', model: q.model ?? '',
        ...(q.subscription ? { subscription: q.subscription } : {}), ...(q.new ? { new: true } : {}),
      }));
    }
    return this.call(() => this.app.CachedSummaries(q.page, q.perPage, q.sort ?? '', q.channel ?? '', q.model ?? ''));
  }

  listSubscriptions(): Promise<Subscription[]> {
    return this.call(async () => (await this.app.ListSubscriptions()).subscriptions ?? []);
  }
  follow(r: FollowRequest): Promise<Subscription> {
    return this.call(() => this.app.Follow(r));
  }
  updateSubscription(id: string, patch: SubscriptionPatch): Promise<Subscription> {
    return this.call(() => this.app.UpdateSubscription(id, patch));
  }
  unfollow(id: string): Promise<void> {
    return this.call(async () => { await this.app.Unfollow(id); });
  }
  checkSubscription(id: string): Promise<CheckResult> {
    return this.call(() => this.app.CheckSubscription(id));
  }
  markOpened(videoId: string): Promise<void> {
    return this.call(async () => { await this.app.MarkOpened(videoId); });
  }
  onSubscriptionEvent(fn: (s: Subscription) => void): () => void {
    this.listen();
    this.subListeners.add(fn);
    return () => { this.subListeners.delete(fn); };
  }
  searchSummaries(q: string, filter?: SearchFilter): Promise<VideoItem[]> {
    if (filter?.subscription || filter?.new) {
      return this.call(async () => (await this.app.SearchSubscriptionSummaries({ q, ...filter })) ?? []);
    }
    return this.call(async () => (await this.app.SearchSummaries(q)) ?? []);
  }
  ask(r: AskRequest): Promise<AskAccepted> {
    const body: AskRequest = { ...r };
    delete body.force_sync;
    return this.call(() => this.app.Ask(body));
  }
  conversations(videoId?: string): Promise<Conversation[]> {
    return this.call(async () => (await this.app.Conversations(videoId ?? '')).conversations ?? []);
  }
  deleteConversation(id: string): Promise<void> {
    return this.call(async () => {
      await this.app.DeleteConversation(id);
    });
  }
  deleteSummary(videoId: string): Promise<void> {
    return this.call(async () => {
      await this.app.DeleteSummary(videoId);
    });
  }
  thumbnailURL(videoId: string): string {
    return `/thumbnails/${encodeURIComponent(videoId)}`;
  }

  speak(r: SpeakRequest): Promise<AudioClip> {
    return this.call(async () => clipFrom(await this.app.Speak(r)));
  }
  previewVoice(voiceId: string, text: string): Promise<AudioClip> {
    return this.call(async () => clipFrom(await this.app.PreviewVoice({ voice_id: voiceId, text })));
  }
  voices(): Promise<VoicesResponse> {
    return this.call(() => this.app.Voices());
  }
  cacheStatus(): Promise<JSONObject> {
    return this.call(() => this.app.CacheStatus());
  }
  cacheCleanup(): Promise<JSONObject> {
    return this.call(() => this.app.CacheCleanup());
  }
  getSettings(): Promise<JSONObject> {
    return this.call(() => this.app.GetSettings());
  }
  saveSettings(patch: JSONObject): Promise<JSONObject> {
    return this.call(() => this.app.SaveSettings(patch));
  }
  revealAPIToken(): Promise<string> {
    return this.call(async () => (await this.app.RevealAPIToken()).token);
  }
  rotateAPIToken(): Promise<string> {
    return this.call(async () => (await this.app.RotateAPIToken()).token);
  }
  performanceMetrics(): Promise<JSONObject> {
    return this.call(() => this.app.PerformanceMetrics());
  }
  systemHealth(): Promise<JSONObject> {
    return this.call(() => this.app.SystemHealth());
  }
  backups(): Promise<JSONObject> {
    return this.call(() => this.app.Backups());
  }
  createBackup(): Promise<JSONObject> {
    return this.call(() => this.app.CreateBackup());
  }
  diagnose(url: string): Promise<Diagnosis> {
    return this.call(() => this.app.Diagnose({ url }));
  }
  exportSummary(videoId: string, format: 'md' | 'txt' | 'json'): Promise<ExportedFile> {
    return this.call(() => this.app.ExportSummary(videoId, format));
  }
  exportLibrary(format: 'md' | 'json'): Promise<string> {
    return this.call(async () => {
      const out = await this.app.ExportLibrary(format);
      return out.path ? `Saved to ${out.path}.` : 'Export cancelled.';
    });
  }
  importOriginal(): Promise<ImportResult> {
    return this.call(() => this.app.ImportOriginal());
  }

  async saveFile(filename: string, data: Blob): Promise<void> {
    if (this.app.SaveFile) {
      const b64 = await blobToBase64(data);
      await this.call(() => this.app.SaveFile!(filename, b64));
      return;
    }
    downloadBlob(filename, data);
  }
  openExternal(url: string): void {
    if (this.rt?.BrowserOpenURL) this.rt.BrowserOpenURL(url);
    else window.open(url, '_blank', 'noopener,noreferrer');
  }
  async copyText(text: string): Promise<void> {
    if (this.rt?.ClipboardSetText && (await this.rt.ClipboardSetText(text))) return;
    await copyToClipboard(text);
  }

  async loginStatus() {
    return { login_enabled: false, authenticated: true };
  }
  async login(): Promise<void> {}
  async logout(): Promise<void> {}
  setConnectionMethod(): void {}
  setProcessingMode(): void {}
}

function parseMaybe<T>(data: unknown): T | null {
  if (typeof data === 'string') {
    try {
      return JSON.parse(data) as T;
    } catch {
      return null;
    }
  }
  return data && typeof data === 'object' ? (data as T) : null;
}

export function base64ToBlob(b64: string, type: string): Blob {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type });
}

function clipFrom(a: WailsAudio): AudioClip {
  if (!a || typeof a.audio_base64 !== 'string') throw new ApiError('No audio came back.', { code: 'internal' });
  const clip: AudioClip = { blob: base64ToBlob(a.audio_base64, a.content_type || 'audio/mpeg') };
  if (a.voice) clip.voice = a.voice;
  if (a.offline !== undefined) clip.offline = a.offline;
  return clip;
}

async function blobToBase64(b: Blob): Promise<string> {
  const buf = new Uint8Array(await b.arrayBuffer());
  let s = '';
  for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
  return btoa(s);
}
