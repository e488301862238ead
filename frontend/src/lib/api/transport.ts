import type {
  AskAccepted, AskRequest, Conversation,
  CheckResult, FollowRequest, SearchFilter, Subscription, SubscriptionPatch,
  ApiStatus, Diagnosis, ExportedFile, ImportResult, Job, JSONObject, LibraryQuery, LibraryStatus, Page, SpeakRequest,
  SummarizeOutcome, SummarizeRequest, SummaryDelta, VideoItem, VoicesResponse,
} from './types';

/** How a job's live updates currently reach us. */
export type LinkState = 'connecting' | 'realtime' | 'polling' | 'reconnecting' | 'closed';

/** The user's choice of live-update method (browser only; the window always has push events). */
export type ConnectionMethod = 'auto' | 'realtime' | 'periodic';

/** Whether /summarize may answer synchronously (browser only). */
export type ProcessingMode = 'auto' | 'async' | 'sync';

export interface JobWatcher {
  /** Every new state of the job (API.md §3). */
  onJob(job: Job): void;
  /** New summary text as it is written (API.md §6 summary_delta). */
  onDelta?(d: SummaryDelta): void;
  /** How updates arrive now; a sentence explains why when it changed. */
  onLink?(state: LinkState, why?: string): void;
  /** The job no longer exists on the server (purged). */
  onGone?(): void;
}

export interface Capabilities {
  /** Import and library export open native dialogs (no path field needed). */
  nativeDialogs: boolean;
  /** The user may choose connection method and processing mode. */
  connectionChoice: boolean;
  /** Passcode login may be required. */
  login: boolean;
}

/** The audio of a /speak or voice preview answer (audio/mpeg). */
export interface AudioClip {
  blob: Blob;
}

/**
 * Transport is the ONE interface between the UI and the summarizer service. It has two
 * implementations (wails.ts: bindings + runtime events; http.ts: fetch + EventSource +
 * polling); nothing else in the UI knows which one it runs on. Every method rejects with
 * an ApiError whose message is a sentence for the user.
 */
export interface Transport {
  readonly capabilities: Capabilities;

  summarize(req: SummarizeRequest): Promise<SummarizeOutcome>;
  getJob(id: string): Promise<Job>;
  listJobs(status?: string, limit?: number): Promise<Job[]>;
  cancelJob(id: string): Promise<Job | null>;
  /** Follows a job until it ends or the returned function is called. */
  watchJob(id: string, w: JobWatcher): () => void;
  /**
   * Present only where the service pushes every job's updates (the window): calls fn with each
   * job state pushed, including jobs started elsewhere (the CLI), until the returned function
   * is called. Without it, jobs started elsewhere are found by listing (listJobs).
   */
  onJobEvent?(fn: (job: Job) => void): () => void;

  apiStatus(): Promise<ApiStatus>;
  cachedSummaries(q: LibraryQuery): Promise<Page<VideoItem>>;
  /** GET /search_summaries; filter: only the videos a subscription found and/or those marked new. */
  searchSummaries(q: string, filter?: SearchFilter): Promise<VideoItem[]>;
  /** GET /library/status: summaries the search index is still taking in (search may miss them). */
  libraryStatus(): Promise<LibraryStatus>;
  deleteSummary(videoId: string): Promise<void>;
  thumbnailURL(videoId: string): string;

  speak(req: SpeakRequest): Promise<AudioClip>;
  previewVoice(voiceId: string, text: string): Promise<AudioClip>;
  voices(): Promise<VoicesResponse>;

  cacheStatus(): Promise<JSONObject>;
  cacheCleanup(): Promise<JSONObject>;
  getSettings(): Promise<JSONObject>;
  /** Rejects with ApiError.fields set when some fields are invalid. */
  saveSettings(patch: JSONObject): Promise<JSONObject>;
  revealAPIToken(): Promise<string>;
  rotateAPIToken(): Promise<string>;
  performanceMetrics(): Promise<JSONObject>;
  systemHealth(): Promise<JSONObject>;
  backups(): Promise<JSONObject>;
  createBackup(): Promise<JSONObject>;
  /** Explains where a video's transcript comes from (POST /diagnose); rejects for a link that is not a video's. */
  diagnose(url: string): Promise<Diagnosis>;

  exportSummary(videoId: string, format: 'md' | 'txt' | 'json'): Promise<ExportedFile>;
  /** Returns a sentence saying where the export went. */
  exportLibrary(format: 'md' | 'json'): Promise<string>;
  /** path is used only without native dialogs. */
  importOriginal(path?: string): Promise<ImportResult>;

  /** Saves a file the user asked for (download in a browser). */
  saveFile(filename: string, data: Blob): Promise<void>;
  openExternal(url: string): void;
  copyText(text: string): Promise<void>;

  loginStatus(): Promise<{ login_enabled: boolean; authenticated: boolean }>;
  login(passcode: string): Promise<void>;
  logout(): Promise<void>;

  /**
   * Asks a question (async): the answer is the one result of the returned job, its text
   * streamed as the job's deltas (watchJob). Bad input rejects with the sentence.
   */
  ask(req: AskRequest): Promise<AskAccepted>;
  /** The conversations about a video (undefined: about the library), newest first. */
  conversations(videoId?: string): Promise<Conversation[]>;
  deleteConversation(id: string): Promise<void>;
  /** Followed channels and playlists (API.md §5). */
  listSubscriptions(): Promise<Subscription[]>;
  follow(req: FollowRequest): Promise<Subscription>;
  updateSubscription(id: string, patch: SubscriptionPatch): Promise<Subscription>;
  unfollow(id: string): Promise<void>;
  checkSubscription(id: string): Promise<CheckResult>;
  /** The user opened this summary: it is no longer new. */
  markOpened(videoId: string): Promise<void>;
  /**
   * Present only where the service pushes subscription changes (the window: the `subscription`
   * event); elsewhere the UI reloads the list.
   */
  onSubscriptionEvent?(fn: (s: Subscription) => void): () => void;

  /**
   * Present only in the window: logs the page's start-up timings on the service's side
   * (scripts/bench-window.sh reads the line). Never rejects.
   */
  reportStartup?(m: StartupMarks): void;

  /** Browser only; no-ops in the window. */
  setConnectionMethod(m: ConnectionMethod): void;
  setProcessingMode(m: ProcessingMode): void;
}

/**
 * The page's start-up timings in ms from the navigation start (performance.now()); 0: not
 * reached. stage "form": the Summarize form was painted; "answered": the first call answered.
 */
export interface StartupMarks {
  stage: 'form' | 'answered';
  /** The navigation start, Unix ms (performance.timeOrigin). */
  time_origin: number;
  /** The document received; the main script received (resource timing, 0 when unknown). */
  html: number;
  bundle: number;
  script: number;
  render: number;
  paint: number;
  answered: number;
}

/** Downloads a blob through a temporary link (browser behaviour, shared by both transports). */
export function downloadBlob(filename: string, data: Blob): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
