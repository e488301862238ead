import { load, oneOf, save } from '../lib/storage';
import { createStore, type Store } from '../lib/store';
import type { ConnectionMethod, ProcessingMode } from '../lib/api/transport';

export const STYLES = ['audio', 'key_points', 'chapters', 'detailed', 'custom'] as const;
export const LENGTHS = ['short', 'medium', 'long'] as const;
export const PAGE_SIZES = [10, 20, 50, 100] as const;
export const RATES = [0.75, 1, 1.25, 1.5, 1.75, 2] as const;
export const LANGUAGES: ReadonlyArray<[string, string]> = [
  ['same', "The video's language"], ['en', 'English'], ['es', 'Spanish'], ['fr', 'French'], ['de', 'German'],
  ['it', 'Italian'], ['pt-BR', 'Portuguese (Brazil)'], ['pt', 'Portuguese'], ['nl', 'Dutch'], ['pl', 'Polish'],
  ['ru', 'Russian'], ['uk', 'Ukrainian'], ['tr', 'Turkish'], ['ar', 'Arabic'], ['hi', 'Hindi'], ['ja', 'Japanese'],
  ['ko', 'Korean'], ['zh', 'Chinese'],
];

export type Theme = 'system' | 'light' | 'dark';
export type SortKey = 'newest' | 'oldest' | 'title' | 'channel';

/**
 * What this browser remembers for itself. Model, style, length and language are NOT here: they
 * are server settings (GET /api_status defaults), the same for every front end. theme is only
 * the last value the server sent, kept for a fast first paint; the server's setting wins.
 */
export interface Prefs {
  theme: Theme;
  perPage: number;
  sort: SortKey;
  connection: ConnectionMethod;
  processing: ProcessingMode;
  rate: number;
}

const isPageSize = (v: unknown): v is number => typeof v === 'number' && (PAGE_SIZES as readonly number[]).includes(v);
const isRate = (v: unknown): v is number => typeof v === 'number' && (RATES as readonly number[]).includes(v);

export function loadPrefs(): Prefs {
  return {
    theme: load<Theme>('theme', 'system', oneOf('system', 'light', 'dark')),
    perPage: load('perPage', 10, isPageSize),
    sort: load<SortKey>('sort', 'newest', oneOf('newest', 'oldest', 'title', 'channel')),
    connection: load<ConnectionMethod>('connection', 'auto', oneOf('auto', 'realtime', 'periodic')),
    // Default: always a job, as in the desktop window (progress, cancel and live text for everything).
    processing: load<ProcessingMode>('processing', 'async', oneOf('auto', 'async', 'sync')),
    rate: load('rate', 1, isRate),
  };
}

export interface PrefsStore extends Store<Prefs> {
  update(patch: Partial<Prefs>): void;
}

/** The user's remembered choices; every change is saved to localStorage at once. */
export function createPrefs(initial: Prefs = loadPrefs()): PrefsStore {
  // Earlier versions kept the summary choices here; the server's settings hold them now.
  for (const k of ['model', 'style', 'length', 'language']) save(k, undefined);
  const s = createStore(initial);
  return {
    ...s,
    update(patch) {
      for (const [k, v] of Object.entries(patch)) save(k, v);
      s.set({ ...s.get(), ...patch });
    },
  };
}

/** Applies the theme to <html data-theme> (system follows prefers-color-scheme in CSS). */
export function applyTheme(t: Theme, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = t;
  const dark = t === 'dark' || (t === 'system' && typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches);
  root.style.colorScheme = dark ? 'dark' : 'light';
}

const THEMES: readonly Theme[] = ['system', 'light', 'dark'];

/**
 * themeOf reads the server's `theme` setting out of a GET /settings answer (the settings view
 * {settings:{theme}}, a flat object, a {value} descriptor or a {fields:[…]} list). An empty
 * value means "system"; anything else unknown, or no theme at all, gives null.
 */
export function themeOf(json: unknown): Theme | null {
  const obj = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
  if (!obj(json)) return null;
  const src = obj(json.settings) ? json.settings : json;
  let v: unknown = src.theme;
  if (v === undefined && Array.isArray(src.fields)) v = src.fields.find((f) => obj(f) && f.name === 'theme');
  if (obj(v)) v = v.value;
  if (v === '') return 'system';
  return typeof v === 'string' && (THEMES as readonly string[]).includes(v) ? (v as Theme) : null;
}
