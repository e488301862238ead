/** Prefs read and write localStorage without ever throwing (private mode, quota, no DOM). */
const PREFIX = 'ytsum.';

function ls(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function load<T>(key: string, fallback: T, valid?: (v: unknown) => v is T): T {
  try {
    const raw = ls()?.getItem(PREFIX + key);
    if (raw == null) return fallback;
    const v: unknown = JSON.parse(raw);
    if (valid ? valid(v) : typeof v === typeof fallback) return v as T;
  } catch {
    /* fall back */
  }
  return fallback;
}

export function save(key: string, value: unknown): void {
  try {
    if (value === undefined) ls()?.removeItem(PREFIX + key);
    else ls()?.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    /* storage full or blocked: the preference is simply not remembered */
  }
}

export function oneOf<T extends string>(...values: T[]): (v: unknown) => v is T {
  return (v: unknown): v is T => typeof v === 'string' && (values as string[]).includes(v);
}
