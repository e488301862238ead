// Wire shapes of API.md §3–§5 and BINDINGS.md. Both transports return exactly these.

export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

export function isTerminal(s: JobStatus): boolean {
  return TERMINAL.has(s);
}

export interface VideoItem {
  type?: 'video';
  video_id: string;
  title: string;
  thumbnail_url: string;
  summary: string | null;
  video_url: string;
  error: string | null;
  channel?: string;
  /** The channel's UC… id, when known (the library's "Follow channel"). */
  channel_id?: string;
  duration_seconds?: number;
  model_used?: string;
  summarized_at?: string | null;
  source?: 'cache' | 'generated';
  error_kind?: string;
  /** Optional extras a library listing may carry. */
  style?: string;
  length?: string;
  language?: string;
  /** Search results: HTML with <mark> around matches (sanitized before use). */
  snippet?: string;
  /** Set when the summary was made from the video itself (no captions); either spelling. */
  from_video?: boolean;
  input?: string;
}

export interface PlaylistItem {
  type: 'playlist';
  playlist_id: string;
  title: string;
  summaries: VideoItem[];
  error: string | null;
  error_kind?: string;
}

export interface BadInputItem {
  type: 'error';
  url: string;
  error: string | null;
  error_kind?: string;
}

export type ResultItem = VideoItem | PlaylistItem | BadInputItem;

export interface JobMetadata {
  urls: string[];
  model: string;
  style?: string;
  length?: string;
  language?: string;
  prefer_playlist?: boolean;
  regenerate?: boolean;
}

export interface Job {
  id: string;
  type: string;
  status: JobStatus;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  progress: number;
  total_items: number;
  current_item: string | null;
  results: ResultItem[];
  error: string | null;
  metadata: JobMetadata;
}

export interface SummaryDelta {
  job_id: string;
  video_id: string;
  delta: string;
}

export interface SummarizeRequest {
  urls: string[];
  model?: string;
  style?: string;
  length?: string;
  language?: string;
  prefer_playlist?: boolean;
  regenerate?: boolean;
}

/** What summarize() resolves to: a job to follow, or (HTTP sync mode) results at once. */
export type SummarizeOutcome =
  | { mode: 'async'; job_id: string; message?: string; estimated_time?: number | string }
  | { mode: 'sync'; results: ResultItem[] };

export interface ModelInfo {
  key: string;
  provider: string;
  display_name: string;
  available: boolean;
}

export interface ApiStatus {
  async_processing_enabled: boolean;
  sse_enabled: boolean;
  available_models: string[];
  models: ModelInfo[];
  google_api_key_set?: boolean;
  openai_api_key_set?: boolean;
  tts_available?: boolean;
  version?: string;
  /** The model a request without "model" gets (API.md §5). */
  default_model?: string;
  /** The saved defaults a request without them gets (API.md §5). */
  defaults?: { style?: string; length?: string; language?: string };
  /** Optional: which voice listening uses, "cloud" or "offline" (the welcome says so when present). */
  tts_engine?: string;
  [k: string]: unknown;
}

export interface LibraryQuery {
  page: number;
  perPage: number;
  sort?: string;
  channel?: string;
  model?: string;
  /** Only the videos this subscription found. */
  subscription?: string;
  /** Only the videos marked new (found by a subscription, not opened yet). */
  new?: boolean;
}

export interface Page<T> {
  summaries: T[];
  total: number;
  page: number;
  per_page: number;
  total_pages: number;
}

export interface SpeakRequest {
  text?: string;
  video_id?: string;
  voice_id?: string;
}

export interface VoiceInfo {
  name?: string;
  display_name?: string;
  language_code?: string;
  gender?: string;
  accent?: string;
  style?: string;
  tier?: string;
  description?: string;
  quality?: string;
}

export interface VoicesResponse {
  voices: Record<string, VoiceInfo>;
  tiers?: Record<string, unknown>;
  current_voice?: string;
  default_voice?: string;
}

export interface ExportedFile {
  filename: string;
  content: string;
}

export interface ImportResult {
  added: number;
  skipped: number;
  failed: number;
  errors?: string[];
}

export type JSONObject = Record<string, unknown>;

/** A followed channel or playlist (API.md §5). */
export interface Subscription {
  id: string;
  kind: 'channel' | 'playlist' | string;
  source_id: string;
  title: string;
  url: string;
  model: string;
  style: string;
  length: string;
  language: string;
  interval_minutes: number;
  paused: boolean;
  created_at: string;
  last_checked_at?: string | null;
  last_error?: string | null;
  new_count: number;
}

/** The body of POST /subscriptions. */
export interface FollowRequest {
  url: string;
  model?: string;
  style?: string;
  length?: string;
  language?: string;
  interval_minutes?: number;
  backfill?: number;
}

/** The body of PATCH /subscriptions/{id}: only what changes. */
export interface SubscriptionPatch {
  paused?: boolean;
  model?: string;
  style?: string;
  length?: string;
  language?: string;
  interval_minutes?: number;
}

/** The answer of POST /subscriptions/{id}/check. */
export interface CheckResult {
  new_videos: number;
  job_id: string | null;
}
