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
  /** A change applies after a restart (the schema's restart flag); restartPending: changed and not yet applied. */
  restart: boolean;
  restartPending: boolean;
  min?: number;
  max?: number;
}

export interface NormalizedSettings {
  fields: FieldSpec[];
  /** Read-only objects (keychain status and the like), shown as status panels. */
  panels: { name: string; label: string; value: Record<string, unknown> }[];
}

const isObj = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** One entry of the settings view's schema (config.FieldSchema): the server's one field table. */
export interface SchemaField {
  key: string;
  type: 'string' | 'text' | 'bool' | 'int' | 'number' | 'list' | 'secret';
  label: string;
  group: string;
  doc: string;
  min?: number;
  max?: number;
  choices?: { value: string; label: string }[];
  restart: boolean;
  env?: string;
}

const TYPES: Record<SchemaField['type'], FieldType> = {
  string: 'text', text: 'textarea', bool: 'bool', int: 'number', number: 'number', list: 'list', secret: 'secret',
};

/**
 * normalizeSettings reads the settings view of GET/POST /settings (and the window's
 * GetSettings/SaveSettings): {settings, sources, environment, secrets, keychain,
 * restart_fields, restart_pending, schema}. The form is the schema, in its order; labels,
 * sections, choices and bounds come from it, values from settings and secrets.
 */
export function normalizeSettings(json: unknown): NormalizedSettings {
  const out: NormalizedSettings = { fields: [], panels: [] };
  if (!isObj(json) || !Array.isArray(json.schema)) return out;
  const settings = isObj(json.settings) ? json.settings : {};
  const secrets = isObj(json.secrets) ? json.secrets : {};
  const env = isObj(json.environment) ? json.environment : {};
  const pending = new Set(Array.isArray(json.restart_pending) ? json.restart_pending.map(String) : []);
  // A keychain problem is said once, in the keychain panel, not under every key.
  const kcProblem = isObj(json.keychain) && typeof json.keychain.state === 'string' && json.keychain.state !== 'available';
  for (const raw of json.schema as SchemaField[]) {
    if (!isObj(raw) || typeof raw.key !== 'string') continue;
    const k = raw.key;
    const secret = raw.type === 'secret' ? (isObj(secrets[k]) ? secrets[k] : {}) : null;
    const fromEnv = secret ? secret.source === 'environment' : isObj(env[k]);
    const variable = secret ? str(secret.variable) : isObj(env[k]) ? str(env[k].variable) : '';
    const help = [
      raw.doc.replace(/`/g, ''), // the table's docs mark code with backticks (SETTINGS.md)
      fromEnv && variable ? `Set by the environment variable ${variable}.` : '',
      pending.has(k) ? 'Changed: restart the app to apply it.' : raw.restart ? 'Applies after a restart.' : '',
      secret && !secret.set && !kcProblem ? str(secret.message) : '',
    ].filter(Boolean).join(' ');
    const spec: FieldSpec = {
      name: k, label: raw.label || k, help, group: raw.group,
      type: raw.choices?.length ? 'select' : TYPES[raw.type] ?? 'text',
      value: secret ? undefined : settings[k], env: fromEnv, readOnly: false,
      restart: raw.restart === true || pending.has(k), restartPending: pending.has(k),
    };
    if (raw.choices?.length) spec.options = raw.choices.map((c) => ({ value: c.value, label: c.label }));
    if (typeof raw.min === 'number') spec.min = raw.min;
    if (typeof raw.max === 'number') spec.max = raw.max;
    if (secret) spec.secret = { set: secret.set === true, last4: str(secret.last4) };
    out.fields.push(spec);
  }
  if (isObj(json.keychain)) {
    const kc = json.keychain;
    const summary: Record<string, unknown> = { state: kc.state, backend: kc.backend };
    if (kc.message) summary.message = kc.message;
    if (kc.file_fallback) summary.file_path = kc.file_path;
    out.panels.push({ name: 'keychain', label: 'Keychain', value: summary });
  }
  return out;
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
  if (f.type === 'number') {
    if (typeof v !== 'number' || Number.isNaN(v)) return 'Enter a number.';
    if (f.min !== undefined && v < f.min) return `Must be at least ${f.min}.`;
    if (f.max !== undefined && v > f.max) return `Must be at most ${f.max}.`;
  }
  return null;
}
