/** ApiError is what every transport rejects with: a sentence a user can act on. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** Per-field validation sentences (POST /settings 400). */
  readonly fields: Record<string, string>;
  /** Seconds to wait, from Retry-After, when known. */
  readonly retryAfter?: number;
  readonly extra: Record<string, unknown>;

  constructor(
    message: string,
    opts: { code?: string; status?: number; fields?: Record<string, string>; retryAfter?: number; extra?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = opts.code ?? 'internal';
    this.status = opts.status ?? 0;
    this.fields = opts.fields ?? {};
    if (opts.retryAfter !== undefined) this.retryAfter = opts.retryAfter;
    this.extra = opts.extra ?? {};
  }
}

const FALLBACK = 'Something went wrong. Please try again.';

/** fromBody builds an ApiError from a decoded `{"error","code","fields"}` body. */
export function fromBody(body: unknown, status = 0, retryAfter?: number): ApiError {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const msg = typeof b.error === 'string' && b.error ? b.error : typeof b.message === 'string' ? b.message : FALLBACK;
    const fields: Record<string, string> = {};
    if (b.fields && typeof b.fields === 'object') {
      for (const [k, v] of Object.entries(b.fields as Record<string, unknown>)) fields[k] = String(v);
    }
    const { error: _e, code: _c, fields: _f, ...extra } = b;
    void _e; void _c; void _f;
    return new ApiError(msg, {
      code: typeof b.code === 'string' ? b.code : codeForStatus(status),
      status,
      fields,
      ...(retryAfter !== undefined ? { retryAfter } : {}),
      extra,
    });
  }
  return new ApiError(typeof body === 'string' && body ? body : FALLBACK, { code: codeForStatus(status), status });
}

/** toApiError normalizes anything thrown (Wails rejects with a JSON string) to an ApiError. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (typeof err === 'string') {
    try {
      return fromBody(JSON.parse(err));
    } catch {
      return new ApiError(err || FALLBACK);
    }
  }
  if (err instanceof Error) {
    if (err.name === 'AbortError') return new ApiError('The request was cancelled.', { code: 'cancelled' });
    if (err instanceof TypeError) return new ApiError('Cannot reach the summarizer service. Is it running?', { code: 'unavailable' });
    return new ApiError(err.message || FALLBACK);
  }
  return new ApiError(FALLBACK);
}

export function codeForStatus(status: number): string {
  switch (status) {
    case 400: case 413: case 415: return 'invalid';
    case 401: case 403: return 'unauthorized';
    case 404: return 'not_found';
    case 409: return 'conflict';
    case 429: return 'rate_limited';
    case 502: case 503: case 504: return 'unavailable';
    default: return 'internal';
  }
}
