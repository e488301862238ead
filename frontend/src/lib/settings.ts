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
  if (f.type === 'number') {
    if (typeof v !== 'number' || Number.isNaN(v)) return 'Enter a number.';
    if (f.min !== undefined && v < f.min) return `Must be at least ${f.min}.`;
    if (f.max !== undefined && v > f.max) return `Must be at most ${f.max}.`;
  }
  return null;
}
