import { humanize } from './format';

export type FieldType = 'bool' | 'number' | 'select' | 'secret' | 'text' | 'textarea' | 'list';

export interface FieldSpec {
  name: string;
  label: string;
  help: string;
  type: FieldType;
  value: unknown;
  group: string;
  options?: { value: string; label: string }[];
  /** Secrets: only whether set and the last 4 characters ever reach the UI. */
  secret?: { set: boolean; last4: string };
  /** Set by an environment variable: shown, not editable. */
  env: boolean;
  readOnly: boolean;
  min?: number;
  max?: number;
}

export interface NormalizedSettings {
  fields: FieldSpec[];
  /** Read-only objects (keychain status and the like), shown as status panels. */
  panels: { name: string; label: string; value: Record<string, unknown> }[];
}

const SECRET_NAME = /(key|secret|token|password|passcode|credentials?)$/i;
const isObj = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function options(v: unknown): FieldSpec['options'] {
  if (!Array.isArray(v)) return undefined;
  return v.map((o) => (isObj(o) ? { value: String(o.value ?? o.key ?? ''), label: String(o.label ?? o.display_name ?? o.value ?? o.key ?? '') } : { value: String(o), label: String(o) }));
}

function inferType(value: unknown, name: string, hint?: string, opts?: FieldSpec['options']): FieldType {
  if (hint === 'bool' || hint === 'boolean') return 'bool';
  if (hint === 'int' || hint === 'integer' || hint === 'number' || hint === 'float' || hint === 'duration') return 'number';
  if (hint === 'secret' || hint === 'password') return 'secret';
  if (hint === 'textarea' || hint === 'multiline') return 'textarea';
  if (hint === 'list' || hint === 'strings') return 'list';
  if (hint === 'select' || hint === 'enum' || opts?.length) return 'select';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'number';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string' && (value.includes('\n') || value.length > 120 || /prompt/i.test(name))) return 'textarea';
  return 'text';
}

/**
 * normalizeSettings renders any GET /settings answer: either {"fields":[{name,label,help,
 * type,value,options,group,secret,set,last4,source,read_only,min,max}], …} or a flat object
 * whose values are plain values, descriptors {value,label,help,source,…}, secrets
 * {set,last4} or name_set/name_last4 pairs. Objects it cannot edit become status panels.
 */
export function normalizeSettings(json: unknown): NormalizedSettings {
  const out: NormalizedSettings = { fields: [], panels: [] };
  if (!isObj(json)) return out;
  if (isObj(json.settings) && (isObj(json.sources) || isObj(json.secrets))) return fromView(json);
  const src = json.settings && isObj(json.settings) ? json.settings : json;

  if (Array.isArray(src.fields)) {
    for (const f of src.fields) if (isObj(f) && typeof f.name === 'string') out.fields.push(fromDescriptor(f.name, f));
    for (const [k, v] of Object.entries(src)) if (k !== 'fields' && isObj(v)) out.panels.push({ name: k, label: humanize(k), value: v });
    return out;
  }

  const pairs = new Map<string, { set?: boolean; last4?: string }>();
  for (const [k, v] of Object.entries(src)) {
    const m = /^(.*)_(set|last4)$/.exec(k);
    if (m && (typeof v === 'boolean' || typeof v === 'string')) {
      const p = pairs.get(m[1]!) ?? {};
      if (m[2] === 'set') p.set = Boolean(v);
      else p.last4 = String(v);
      pairs.set(m[1]!, p);
    }
  }
  for (const [k, v] of Object.entries(src)) {
    const m = /^(.*)_(set|last4)$/.exec(k);
    if (m && pairs.has(m[1]!)) continue;
    if (isObj(v)) {
      if ('value' in v || 'type' in v || 'label' in v) out.fields.push(fromDescriptor(k, v));
      else if ('set' in v && typeof v.set === 'boolean') out.fields.push(fromDescriptor(k, { ...v, type: 'secret' }));
      else out.panels.push({ name: k, label: humanize(k), value: v });
      continue;
    }
    out.fields.push(fromDescriptor(k, { value: v }));
  }
  for (const [name, p] of pairs) {
    if (out.fields.some((f) => f.name === name)) continue;
    out.fields.push(fromDescriptor(name, { type: 'secret', set: p.set ?? false, last4: p.last4 ?? '' }));
  }
  return out;
}

/** Sections of the server's settings, in display order; keys not named here go to "Other". */
const GROUPS: [string, string[]][] = [
  ['Summaries', ['default_model', 'default_style', 'default_length', 'output_language', 'custom_prompt', 'transcript_languages', 'playlist_mode']],
  ['AI providers', ['gemini_api_key', 'openai_api_key', 'gemini_base_url', 'openai_base_url', 'gemini_concurrency', 'openai_concurrency', 'local_chunk_tokens']],
  ['YouTube', ['youtube_concurrency', 'ytdlp_fallback']],
  ['Voice and audio', ['tts_api_key', 'tts_credentials_file', 'tts_voice', 'audio_cache_max_mb', 'audio_cache_max_files', 'audio_cache_ttl_hours']],
  ['Jobs', ['async_processing', 'worker_pool_size', 'max_concurrent_jobs', 'job_retention_hours', 'sse_enabled', 'sse_heartbeat_seconds']],
  ['HTTP server and login', ['http_enabled', 'http_address', 'allowed_hosts', 'login_enabled', 'login_passcode', 'max_login_attempts', 'lockout_minutes']],
  ['Alerts', ['alert_response_seconds', 'alert_error_rate_percent', 'alert_cpu_percent', 'alert_memory_percent', 'alert_queued_jobs']],
  ['Interface', ['theme', 'ui_language']],
  ['Keychain', ['insecure_file_keystore']],
];
const GROUP_OF = new Map(GROUPS.flatMap(([g, keys]) => keys.map((k) => [k, g] as const)));
const ORDER = new Map(GROUPS.flatMap(([, keys]) => keys).map((k, i) => [k, i] as const));

/** Choices of the enumerated settings the server does not describe itself. */
const CHOICES: Record<string, [string, string][]> = {
  default_style: [['audio', 'For listening'], ['key_points', 'Key points'], ['chapters', 'Chapters'], ['detailed', 'Detailed'], ['custom', 'Custom prompt']],
  default_length: [['short', 'Short'], ['medium', 'Medium'], ['long', 'Long']],
  playlist_mode: [['prefer_video', 'Just the video'], ['prefer_playlist', 'The whole playlist']],
  theme: [['system', 'System'], ['light', 'Light'], ['dark', 'Dark']],
};

const LABELS: Record<string, string> = {
  ytdlp_fallback: 'Use yt-dlp when captions cannot be fetched', insecure_file_keystore: 'Allow keeping keys in a file (less safe)',
  tts_api_key: 'Cloud Text-to-Speech API key', tts_credentials_file: 'Cloud Text-to-Speech service-account file',
  gemini_api_key: 'Gemini API key', openai_api_key: 'OpenAI API key', ui_language: 'Interface language',
  sse_enabled: 'Live updates (server-sent events)', async_processing: 'Run summaries as jobs',
};

/**
 * fromView reads the server's settings view: {settings:{…values}, sources:{key:"default"|"saved"|"environment"},
 * environment:{key:{variable,note}}, secrets:{name:{set,last4,source,variable,message}}, keychain:{…},
 * restart_fields:[…], restart_pending:[…]}.
 */
function fromView(v: Record<string, unknown>): NormalizedSettings {
  const out: NormalizedSettings = { fields: [], panels: [] };
  const settings = v.settings as Record<string, unknown>;
  const sources = isObj(v.sources) ? v.sources : {};
  const env = isObj(v.environment) ? v.environment : {};
  const restart = new Set(Array.isArray(v.restart_fields) ? v.restart_fields.map(String) : []);
  const pending = new Set(Array.isArray(v.restart_pending) ? v.restart_pending.map(String) : []);
  const help = (k: string, variable: unknown): string => [
    typeof variable === 'string' && variable ? `Environment variable ${variable}.` : '',
    pending.has(k) ? 'Changed: restart the app to apply it.' : restart.has(k) ? 'Applies after a restart.' : '',
  ].filter(Boolean).join(' ');
  for (const [k, value] of Object.entries(settings)) {
    const e = isObj(env[k]) ? env[k] : null;
    const d: Record<string, unknown> = { value, source: e ? 'environment' : str(sources[k]), help: help(k, e?.variable),
      group: GROUP_OF.get(k) ?? 'Other', label: LABELS[k] ?? '' };
    if (CHOICES[k]) d.options = CHOICES[k]!.map(([value, label]) => ({ value, label }));
    out.fields.push(fromDescriptor(k, d));
  }
  // A keychain problem is said once, in the keychain panel, not under every key.
  const kcProblem = isObj(v.keychain) && typeof v.keychain.state === 'string' && v.keychain.state !== 'available';
  if (isObj(v.secrets)) {
    for (const [k, sv] of Object.entries(v.secrets)) {
      if (!isObj(sv) || k === 'api_token') continue; // the API token has its own panel
      const fromEnv = sv.source === 'environment';
      out.fields.push(fromDescriptor(k, { type: 'secret', set: sv.set === true, last4: str(sv.last4),
        source: fromEnv ? 'environment' : str(sv.source), group: GROUP_OF.get(k) ?? 'Keys and secrets',
        label: LABELS[k] ?? '', help: [help(k, fromEnv ? sv.variable : ''), sv.set || kcProblem ? '' : str(sv.message)].filter(Boolean).join(' ') }));
    }
  }
  out.fields.sort((a, b) => (ORDER.get(a.name) ?? 1e6) - (ORDER.get(b.name) ?? 1e6));
  const groupRank = (g: string) => { const i = GROUPS.findIndex(([n]) => n === g); return i < 0 ? GROUPS.length : i; };
  out.fields.sort((a, b) => groupRank(a.group) - groupRank(b.group));
  if (isObj(v.keychain)) {
    const kc = v.keychain;
    const summary: Record<string, unknown> = { state: kc.state, backend: kc.backend };
    if (kc.message) summary.message = kc.message;
    if (kc.file_fallback) summary.file_path = kc.file_path;
    out.panels.push({ name: 'keychain', label: 'Keychain', value: summary });
  }
  return out;
}

function fromDescriptor(name: string, d: Record<string, unknown>): FieldSpec {
  const opts = options(d.options ?? d.choices ?? d.enum);
  const hint = str(d.type);
  const secretLike = hint === 'secret' || d.secret === true || ('set' in d && typeof d.set === 'boolean' && !('value' in d)) ||
    (SECRET_NAME.test(name) && typeof d.value === 'boolean');
  const type = secretLike ? 'secret' : inferType(d.value, name, hint, opts);
  const source = str(d.source);
  const spec: FieldSpec = {
    name,
    label: str(d.label) || humanize(name),
    help: str(d.help) || str(d.description),
    type,
    value: d.value,
    group: str(d.group) || (type === 'secret' ? 'Keys and secrets' : 'General'),
    env: source === 'env' || source === 'environment' || d.env === true,
    readOnly: d.read_only === true || d.readonly === true,
  };
  if (opts) spec.options = opts;
  if (typeof d.min === 'number') spec.min = d.min;
  if (typeof d.max === 'number') spec.max = d.max;
  if (type === 'secret') {
    const set = typeof d.set === 'boolean' ? d.set : typeof d.value === 'boolean' ? d.value : Boolean(d.value);
    spec.secret = { set, last4: str(d.last4) || str(d.last_4) || str(d.hint) };
    spec.value = undefined;
  }
  return spec;
}

/** Converts an edited input string back to the field's JSON type. */
export function coerce(f: FieldSpec, raw: unknown): unknown {
  switch (f.type) {
    case 'bool':
      return Boolean(raw);
    case 'number': {
      const n = Number(raw);
      return raw === '' || Number.isNaN(n) ? raw : n;
    }
    case 'list':
      return String(raw ?? '').split(/[\n,]/).map((x) => x.trim()).filter(Boolean);
    default:
      return raw;
  }
}

/** Client-side checks before saving; the server's answer is the final word. */
export function validate(f: FieldSpec, v: unknown): string | null {
  if (f.name === 'default_model' && !String(v ?? '').trim()) return 'Enter a model name.';
  if (f.type === 'number') {
    if (typeof v !== 'number' || Number.isNaN(v)) return 'Enter a number.';
    if (f.min !== undefined && v < f.min) return `Must be at least ${f.min}.`;
    if (f.max !== undefined && v > f.max) return `Must be at most ${f.max}.`;
  }
  return null;
}
