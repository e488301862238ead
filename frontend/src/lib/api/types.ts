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
  /** How the summary was made when it differs from what was asked (e.g. the chosen local model was gone). */
  note?: string;
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

/** A channel link: its newest uploads (API.md §4). */
export interface ChannelItem {
  type: 'channel';
  channel_id: string;
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

export type ResultItem = VideoItem | PlaylistItem | ChannelItem | BadInputItem;

export interface JobMetadata {
  urls: string[];
  model: string;
  style?: string;
  length?: string;
  language?: string;
  prefer_playlist?: boolean;
  regenerate?: boolean;
  /** The question of an ask job (type "ask"). */
  ask?: AskQuestion;
  /** How many of a channel link's newest uploads (absent: the setting). */
  limit?: number;
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

/**
 * The job of a `job` event in the window and of the stream's ?results=delta mode (API.md §3, §6,
 * §7): results null, results_count items (they travel as `item` events).
 */
export type JobHead = Omit<Job, 'results'> & { results: ResultItem[] | null; results_count?: number };

/**
 * An `item` event: a result item added to job_id's results at link_index (its position in the
 * results once added), or — video_index set — a video added to the playlist or channel item at
 * link_index, at that position in its summaries.
 */
export interface ItemEvent {
  job_id: string;
  link_index: number;
  video_index: number | null;
  item: ResultItem;
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
  /** How many of a channel link's newest uploads to summarize (absent: the setting). */
  limit?: number;
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

export interface LocalServerInfo {
  id: string;
  name: string;
  base_url: string;
  up: boolean;
  /** One sentence on why it is down. */
  problem?: string;
  models: number;
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
  /** Local LLM servers found on this machine (Ollama, LM Studio, llama.cpp) and their state. */
  local_servers?: LocalServerInfo[];
  /** The UI theme setting ("system", "light", "dark"). */
  theme?: string;
  /** Whether the HTTP API asks for a login (the window never does). */
  login_enabled?: boolean;
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

/** The library's subscription and "new" filters applied to a search (GET /search_summaries). */
export interface SearchFilter {
  subscription?: string;
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
  /** Summaries the search index was still taking in (in the background) when the import answered. */
  indexing_pending: number;
  /** About how long that takes, in seconds. */
  indexing_seconds: number;
}

/** GET /library/status: how many saved summaries search may still miss while the index takes them in. */
export interface LibraryStatus {
  indexing_pending: number;
  indexing_seconds: number;
}

export type JSONObject = Record<string, unknown>;

// --- Questions (API.md §5 POST /ask, GET /conversations; issue 18) ---

/** A question as an ask job keeps it (job.metadata.ask). */
export interface AskQuestion {
  video_id?: string;
  /** "video" (default) or "library". */
  scope?: string;
  question: string;
  model?: string;
  conversation_id?: string;
}

/** The body of POST /ask. */
export interface AskRequest extends AskQuestion {
  force_sync?: boolean;
}

/** The 202 answer of POST /ask. */
export interface AskAccepted {
  job_id: string;
  conversation_id: string;
  stream_url: string;
  status_url: string;
}

/** One "[mm:ss]" of an answer: the video, the second (the video's own time) and the words said there. */
export interface Citation {
  video_id: string;
  start_seconds: number;
  quote: string;
  /** The citation as written in the answer ("[12:34]" or "[V2 12:34]"). */
  mark?: string;
}

/** A video an answer drew on; label is how a library answer names it ("V2"). */
export interface AnswerSource {
  video_id: string;
  title: string;
  label?: string;
}

/** The result item of an ask job. */
export interface Answer {
  type: string;
  video_id: string | null;
  question: string;
  answer: string;
  citations: Citation[];
  model_used: string;
  error: string | null;
  error_kind?: string;
  conversation_id?: string;
  videos?: AnswerSource[];
  /** The offline model's answer: passages of the transcript. */
  extract?: boolean;
}

/** One question of a conversation and its answer. */
export interface Turn {
  question: string;
  answer: string;
  citations: Citation[];
  model_used: string;
  asked_at: string;
  videos?: AnswerSource[];
}

/** A conversation about one video (video_id) or the library (null). */
export interface Conversation {
  id: string;
  video_id: string | null;
  turns: Turn[];
  created_at: string;
  updated_at: string;
}

/** One caption track a transcript source listed (POST /diagnose). */
export interface DiagnosisTrack {
  language: string;
  /** "asr" is YouTube's automatic captions. */
  kind: 'manual' | 'asr' | 'translated';
  /** Its URL needs a proof-of-origin token, so it cannot be fetched. */
  gated: boolean;
  chosen: boolean;
}

/** One transcript source asked: a player client, or yt-dlp. */
export interface DiagnosisSource {
  name: string;
  /** ok, no_captions, refused, failed, not_asked or not_tried. */
  status: string;
  error: string | null;
  tracks: DiagnosisTrack[];
}

export interface DiagnosisChoice {
  source: string;
  language: string;
  kind: string;
  name: string;
  reason: string;
}

/** The answer of POST /diagnose (`ytsum doctor --json`, API.md §5). */
export interface Diagnosis {
  video_id: string;
  sources: DiagnosisSource[];
  chosen: DiagnosisChoice | null;
}

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
  /** Where the cached avatar (channel) or first video's thumbnail (playlist) is served; null until cached. */
  thumbnail_url?: string | null;
  /** Only in a `subscription` event: true when it was unfollowed (the event carries its last state). */
  removed?: boolean;
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
