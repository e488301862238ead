import type { ModelInfo } from './api/types';

/** Failure kinds that no second attempt can fix: the video or link itself is the problem. */
const PERMANENT = new Set([
  'video_private', 'video_unavailable', 'video_unplayable', 'age_restricted', 'not_youtube', 'invalid_link',
  'playlist_not_found', 'missing_video_id',
]);

/** Kinds meaning "there is no transcript": only a model that watches the video itself (Gemini) can help. */
const NO_TRANSCRIPT = new Set(['transcripts_disabled', 'no_transcript']);

/** Whether a model summarizes from the video itself (Gemini), judged by the status list or its name. */
export function isGeminiModel(model: string, models: readonly ModelInfo[] = []): boolean {
  if (!model) return false;
  const m = models.find((x) => x.key === model);
  if (m && m.provider) return /^(gemini|google)$/i.test(m.provider);
  return /gemini/i.test(model);
}

/**
 * canRetry says whether a "Retry" button can help a failed item of this error kind, retried
 * with this model. Temporary failures (rate_limited, offline, blocked, overloaded, cancelled,
 * internal), unknown kinds and a missing kind answer true; a private, unavailable, unplayable or
 * age-restricted video, a link that is not YouTube or cannot be read (kinds starting "invalid" or
 * "unsupported") answer false, and so does a video without transcripts unless the model is Gemini.
 */
export function canRetry(kind: string | undefined | null, model: string, models: readonly ModelInfo[] = []): boolean {
  if (!kind) return true;
  const k = kind.toLowerCase();
  if (PERMANENT.has(k) || k.startsWith('invalid') || k.startsWith('unsupported')) return false;
  if (NO_TRANSCRIPT.has(k)) return isGeminiModel(model, models);
  return true;
}
