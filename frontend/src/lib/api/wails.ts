import * as Bound from '../../../wailsjs/go/main/App';
import type { httpapi, main, youtube, ytsum } from '../../../wailsjs/go/models';
import { asJSON, fromGo, hitItem, toGo } from './bound';
import { ApiError, toApiError } from './errors';
import { copyToClipboard } from './http';
import { JobFollower, withResults } from './jobcopy';
import { type AudioClip, type Capabilities, type JobWatcher, type StartupMarks, type Transport } from './transport';
import {
  isTerminal,
  type AskAccepted, type AskRequest, type Conversation,
  type ApiStatus, type Diagnosis, type ExportedFile, type ImportResult, type ItemEvent, type Job, type JobHead, type JSONObject, type LibraryQuery, type LibraryStatus, type Page,
  type CheckResult, type FollowRequest, type SearchFilter, type Subscription, type SubscriptionPatch,
  type SpeakRequest, type SummarizeOutcome, type SummarizeRequest, type SummaryDelta, type VideoItem, type VoicesResponse,
} from './types';

/**
 * The bound Go methods of app.go, as `wails generate module` writes them
 * (frontend/wailsjs/go/main/App, made in the build, not kept in git): tsc
 * checks every call below against their Go signatures.
 */
export type WailsApp = typeof Bound;

/** The generated bindings themselves (they call window.go.main.App when called). */
export const boundApp: WailsApp = Bound;

/** The parts of window.runtime the UI uses. */
export interface WailsRuntime {
  EventsOn(name: string, cb: (...data: unknown[]) => void): (() => void) | void;
  EventsOff?(name: string, ...more: string[]): void;
  BrowserOpenURL?(url: string): void;
  ClipboardSetText?(text: string): Promise<boolean>;
}

/**
 * WailsTransport calls the bound methods through the generated module (which
 * reaches window.go.main.App), reading their answers through bound.ts's
 * checked views, and listens to runtime events `job`, `item`, `summary_delta`
 * and `subscription` (API.md §7). A `job` event carries the job without its
 * results (results null, results_count); a watched job's copy is read whole
 * once (GetJob), takes the `item` events in, and is read again when a `job`
 * event shows it missed one, and at the job's end (jobcopy.ts).
 * createTransport hands it boundApp; tests may hand it another app.
 */
export class WailsTransport implements Transport {
  readonly capabilities: Capabilities = { nativeDialogs: true, connectionChoice: false, login: false };
  private readonly watchers = new Map<string, Set<JobWatcher>>();
  private readonly followers = new Map<string, JobFollower>();
  private readonly jobListeners = new Set<(job: Job) => void>();
  private readonly subListeners = new Set<(s: Subscription) => void>();
  private listening = false;

  constructor(private readonly app: WailsApp, private readonly rt: WailsRuntime | undefined) {
    // The window notifies the OS of finished jobs only while it is not focused.
    if (typeof window !== 'undefined') {
      const report = (focused: boolean) => { this.call(() => this.app.SetFocused(focused)).catch(() => {}); };
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
      const head = parseMaybe<JobHead>(data);
      if (!head || typeof head.id !== 'string') return;
      const f = this.followers.get(head.id);
      f?.onHead(head);
      const job = withResults(head, f?.current?.results ?? []);
      for (const fn of [...this.jobListeners]) fn(job);
    });
    this.rt.EventsOn('item', (data: unknown) => {
      const ev = parseMaybe<ItemEvent>(data);
      if (!ev || typeof ev.job_id !== 'string' || typeof ev.link_index !== 'number' || !ev.item) return;
      this.followers.get(ev.job_id)?.onItem(ev);
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
      const out = await this.app.Summarize(toGo<httpapi.SummarizeRequest, SummarizeRequest>(r));
      const res: SummarizeOutcome = { mode: 'async', job_id: out.job_id };
      if (out.message) res.message = out.message;
      return res;
    });
  }
  getJob(id: string): Promise<Job> {
    return this.call(async () => fromGo<Job, ytsum.Job>(await this.app.GetJob(id)));
  }
  listJobs(status = '', limit = 20): Promise<Job[]> {
    return this.call(async () => ((await this.app.ListJobs(status, limit)).jobs ?? []).map((j) => fromGo<Job, ytsum.Job>(j)));
  }
  cancelJob(id: string): Promise<Job | null> {
    return this.call(async () => {
      const { job } = await this.app.CancelJob(id);
      return job ? fromGo<Job, ytsum.Job>(job) : null;
    });
  }

  watchJob(id: string, w: JobWatcher): () => void {
    this.listen();
    let set = this.watchers.get(id);
    if (!set) this.watchers.set(id, (set = new Set()));
    set.add(w);
    w.onLink?.('realtime');
    let f = this.followers.get(id);
    if (!f) {
      const follower = new JobFollower(id, {
        fetch: (j) => this.getJob(j),
        deliver: (job) => {
          for (const x of [...(this.watchers.get(id) ?? [])]) x.onJob(job);
          if (isTerminal(job.status)) this.forget(id, follower);
        },
        gone: () => {
          for (const x of [...(this.watchers.get(id) ?? [])]) x.onGone?.();
          this.forget(id, follower);
        },
        link: (state, why) => {
          for (const x of [...(this.watchers.get(id) ?? [])]) x.onLink?.(state, why);
        },
      });
      f = follower;
      this.followers.set(id, f);
      f.start(); // the job whole, then its events
    } else if (f.current) {
      w.onJob(f.current);
    }
    return () => {
      const s = this.watchers.get(id);
      s?.delete(w);
      if (s && s.size === 0) {
        this.watchers.delete(id);
        const cur = this.followers.get(id);
        if (cur) this.forget(id, cur);
      }
    };
  }

  /** Stops following job id (its watchers are done with it). */
  private forget(id: string, f: JobFollower): void {
    f.stop();
    if (this.followers.get(id) === f) this.followers.delete(id);
    this.watchers.delete(id);
  }

  onJobEvent(fn: (job: Job) => void): () => void {
    this.listen();
    this.jobListeners.add(fn);
    return () => {
      this.jobListeners.delete(fn);
    };
  }

  apiStatus(): Promise<ApiStatus> {
    return this.call(async () => fromGo<ApiStatus, httpapi.APIStatus>(await this.app.APIStatus()));
  }
  cachedSummaries(q: LibraryQuery): Promise<Page<VideoItem>> {
    if (q.subscription || q.new) {
      const query: httpapi.LibraryQuery = {
        page: q.page, per_page: q.perPage, sort: q.sort ?? '', channel: q.channel ?? '', model: q.model ?? '',
        ...(q.subscription ? { subscription: q.subscription } : {}), ...(q.new ? { new: true } : {}),
      };
      return this.call(async () => fromGo<Page<VideoItem>, httpapi.LibraryPage>(await this.app.SubscriptionSummaries(query)));
    }
    return this.call(async () =>
      fromGo<Page<VideoItem>, httpapi.LibraryPage>(await this.app.CachedSummaries(q.page, q.perPage, q.sort ?? '', q.channel ?? '', q.model ?? '')));
  }

  listSubscriptions(): Promise<Subscription[]> {
    return this.call(async () =>
      ((await this.app.ListSubscriptions()).subscriptions ?? []).map((s) => fromGo<Subscription, ytsum.Subscription>(s)));
  }
  follow(r: FollowRequest): Promise<Subscription> {
    return this.call(async () => fromGo<Subscription, ytsum.Subscription>(await this.app.Follow(toGo<httpapi.FollowRequest, FollowRequest>(r))));
  }
  updateSubscription(id: string, patch: SubscriptionPatch): Promise<Subscription> {
    return this.call(async () =>
      fromGo<Subscription, ytsum.Subscription>(await this.app.UpdateSubscription(id, toGo<httpapi.SubscriptionPatch, SubscriptionPatch>(patch))));
  }
  unfollow(id: string): Promise<void> {
    return this.call(async () => { await this.app.Unfollow(id); });
  }
  checkSubscription(id: string): Promise<CheckResult> {
    return this.call(async () => fromGo<CheckResult, httpapi.CheckResult>(await this.app.CheckSubscription(id)));
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
      return this.call(async () => ((await this.app.SearchSubscriptionSummaries({ q, ...filter })) ?? []).map(hitItem));
    }
    return this.call(async () => ((await this.app.SearchSummaries(q)) ?? []).map(hitItem));
  }
  ask(r: AskRequest): Promise<AskAccepted> {
    const body: AskRequest = { ...r };
    delete body.force_sync;
    return this.call(async () => fromGo<AskAccepted, httpapi.AskAccepted>(await this.app.Ask(toGo<httpapi.AskRequest, AskRequest>(body))));
  }
  conversations(videoId?: string): Promise<Conversation[]> {
    return this.call(async () =>
      ((await this.app.Conversations(videoId ?? '')).conversations ?? []).map((c) => fromGo<Conversation, ytsum.Conversation>(c)));
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
    return this.call(async () => clipFrom(await this.app.Speak(toGo<httpapi.SpeakRequest, SpeakRequest>(r))));
  }
  previewVoice(voiceId: string, text: string): Promise<AudioClip> {
    return this.call(async () => clipFrom(await this.app.PreviewVoice({ voice_id: voiceId, text })));
  }
  voices(): Promise<VoicesResponse> {
    return this.call(async () => fromGo<VoicesResponse, httpapi.VoiceCatalog>(await this.app.Voices()));
  }
  libraryStatus(): Promise<LibraryStatus> {
    return this.call(async () => fromGo<LibraryStatus, httpapi.LibraryStatus>(await this.app.LibraryStatus()));
  }
  cacheStatus(): Promise<JSONObject> {
    return this.call(async () => asJSON(await this.app.CacheStatus()));
  }
  cacheCleanup(): Promise<JSONObject> {
    return this.call(async () => asJSON(await this.app.CacheCleanup()));
  }
  getSettings(): Promise<JSONObject> {
    return this.call(async () => asJSON(await this.app.GetSettings()));
  }
  saveSettings(patch: JSONObject): Promise<JSONObject> {
    return this.call(async () => asJSON(await this.app.SaveSettings(patch)));
  }
  revealAPIToken(): Promise<string> {
    return this.call(async () => (await this.app.RevealAPIToken()).token);
  }
  rotateAPIToken(): Promise<string> {
    return this.call(async () => (await this.app.RotateAPIToken()).token);
  }
  performanceMetrics(): Promise<JSONObject> {
    return this.call(async () => asJSON(await this.app.PerformanceMetrics()));
  }
  systemHealth(): Promise<JSONObject> {
    return this.call(async () => asJSON(await this.app.SystemHealth()));
  }
  backups(): Promise<JSONObject> {
    return this.call(async () => asJSON(await this.app.Backups()));
  }
  createBackup(): Promise<JSONObject> {
    return this.call(async () => asJSON(await this.app.CreateBackup()));
  }
  diagnose(url: string): Promise<Diagnosis> {
    return this.call(async () => fromGo<Diagnosis, youtube.Diagnosis>(await this.app.Diagnose({ url })));
  }
  exportSummary(videoId: string, format: 'md' | 'txt' | 'json'): Promise<ExportedFile> {
    return this.call(async () => fromGo<ExportedFile, main.ExportedFile>(await this.app.ExportSummary(videoId, format)));
  }
  exportLibrary(format: 'md' | 'json'): Promise<string> {
    return this.call(async () => {
      const out = await this.app.ExportLibrary(format);
      return out.path ? `Saved to ${out.path}.` : 'Export cancelled.';
    });
  }
  importOriginal(): Promise<ImportResult> {
    return this.call(async () => fromGo<ImportResult, httpapi.ImportReport>(await this.app.ImportOriginal()));
  }

  async saveFile(filename: string, data: Blob): Promise<void> {
    const b64 = await blobToBase64(data);
    await this.call(() => this.app.SaveFile(filename, b64));
  }

  reportStartup(m: StartupMarks): void {
    this.call(() => this.app.ReportStartup(toGo<main.StartupMarks, StartupMarks>(m))).catch(() => {});
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

function clipFrom(a: main.Speech): AudioClip {
  if (!a || typeof a.audio_base64 !== 'string') throw new ApiError('No audio came back.', { code: 'internal' });
  return { blob: base64ToBlob(a.audio_base64, a.content_type || 'audio/mpeg') };
}

async function blobToBase64(b: Blob): Promise<string> {
  const buf = new Uint8Array(await b.arrayBuffer());
  let s = '';
  for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
  return btoa(s);
}
