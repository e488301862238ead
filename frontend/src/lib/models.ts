import type { ApiStatus, ModelInfo, SummarizeRequest } from './api/types';
import { humanize } from './format';

const PROVIDERS: Record<string, string> = {
  gemini: 'Google Gemini', google: 'Google Gemini', openai: 'OpenAI', local: 'Local',
  // Local LLM servers the service finds by itself (no key).
  ollama: 'Ollama', lmstudio: 'LM Studio', llamacpp: 'llama.cpp',
};

/** The provider's name as shown to the user; a server added by address ("host:port") keeps it. */
export function providerLabel(provider: string): string {
  const p = PROVIDERS[provider.toLowerCase()];
  if (p) return p;
  if (/[:.]/.test(provider)) return `Local server ${provider}`;
  return humanize(provider || 'Other');
}

/** Models grouped by provider, in the order the service lists them. */
export function groupModels(models: readonly ModelInfo[]): [string, ModelInfo[]][] {
  const groups = new Map<string, ModelInfo[]>();
  for (const m of models) {
    const g = providerLabel(m.provider ?? '');
    groups.set(g, [...(groups.get(g) ?? []), m]);
  }
  return [...groups];
}

/** The value of the "Other…" choice of a model picker (no model name starts with "*"). */
export const CUSTOM_MODEL = '*other*';

/**
 * modelPickerState says what a model picker that also takes any model name shows for value:
 * the select's value (a listed key, '' for "the service's default", or CUSTOM_MODEL) and
 * whether the free-text input is shown. A name the service does not list (a model on a local
 * server) is custom; so is the state after the user chose "Other…" (customChosen).
 */
export function modelPickerState(models: readonly ModelInfo[], value: string, customChosen: boolean): { select: string; custom: boolean } {
  if (customChosen) return { select: CUSTOM_MODEL, custom: true };
  if (!value) return { select: '', custom: false };
  if (models.some((m) => m.key === value)) return { select: value, custom: false };
  return { select: CUSTOM_MODEL, custom: true };
}

const CLOUD = new Set(['gemini', 'google', 'openai', 'local']);

/** Whether a model is served by a local LLM server the service found (Ollama, LM Studio…). */
export function isServerModel(m: ModelInfo): boolean {
  return !CLOUD.has((m.provider ?? '').toLowerCase());
}

/**
 * The label of one model in a list ("Ollama · llama3.2:3b"): an unavailable cloud model says
 * that a key is needed, a local server's model that its server is not running.
 */
export function modelLabel(m: ModelInfo, unavailable = ' — needs a key'): string {
  const why = isServerModel(m) ? ' — server not running' : unavailable;
  return `${m.display_name || m.key}${m.available ? '' : why}`;
}

/** The offline model: always there, needs no key, so a form is usable before the list loads. */
export const LOCAL_MODEL: ModelInfo = { key: 'local', provider: 'local', display_name: 'Local (offline extract)', available: true };

/**
 * The models a picker offers: the service's list once it is known; until then (or when it
 * cannot be loaded) only the offline model, which is always available.
 */
export function pickerModels(api: ApiStatus | null | undefined): ModelInfo[] {
  const ms = api?.models ?? [];
  return ms.length ? ms : [LOCAL_MODEL];
}

/**
 * defaultModel is the model a request without a choice gets: the service's default_model
 * (the user's setting, or the recommended model of a provider whose key is set). An older
 * service without default_model gets the first available model that is not the offline one,
 * else the offline one. '' while the status is unknown: the request then names no model and
 * the service applies its default.
 */
export function defaultModel(api: ApiStatus | null | undefined): string {
  if (!api) return '';
  if (typeof api.default_model === 'string' && api.default_model) return api.default_model;
  const avail = (api.models ?? []).filter((m) => m.available);
  return (avail.find((m) => m.provider.toLowerCase() !== 'local' && m.key !== 'local') ?? avail[0])?.key ?? LOCAL_MODEL.key;
}

/** What a summary request is made of, as the forms show it. */
export interface Choices {
  model: string;
  style: string;
  length: string;
  language: string;
}

/**
 * serverDefaults are the settings' defaults as GET /api_status reports them, the one source
 * of truth for every form. Fields are '' while the status is unknown (the request then omits
 * them and the service applies its saved defaults).
 */
export function serverDefaults(api: ApiStatus | null | undefined): Choices {
  const d = api?.defaults ?? {};
  return { model: defaultModel(api), style: d.style ?? '', length: d.length ?? '', language: d.language ?? '' };
}

/** The settings (POST /settings) that hold each default. */
export const DEFAULT_SETTING: Record<keyof Choices, string> = {
  model: 'default_model', style: 'default_style', length: 'default_length', language: 'output_language',
};

/** The model's name as shown to the user ("Gemini 2.5 Flash"), its key when unlisted. */
export function modelName(key: string, models: readonly ModelInfo[]): string {
  const m = models.find((x) => x.key === key);
  return m?.display_name || (key === LOCAL_MODEL.key ? LOCAL_MODEL.display_name : key);
}

/**
 * whyModel says in words why this model will be used: its provider's key is set, or no key
 * is set (or, with keychainLocked, none can be read) and the offline model makes extracts.
 */
export function whyModel(key: string, api: ApiStatus, keychainLocked = false): string {
  const m = (api.models ?? []).find((x) => x.key === key);
  const provider = (m?.provider ?? (key === 'local' ? 'local' : '')).toLowerCase();
  const anyKey = api.google_api_key_set === true || api.openai_api_key_set === true;
  if (provider === 'gemini' || provider === 'google') return api.google_api_key_set ? 'your Gemini key is set' : 'your default model';
  if (provider === 'openai') return api.openai_api_key_set ? 'your OpenAI key is set' : 'your default model';
  if (provider === 'local') {
    if (anyKey) return 'chosen as your default model in Settings';
    return `${keychainLocked ? 'no AI key can be read while the keychain is locked' : 'no AI key is set'}, so summaries are extracts of the transcript, made on this computer`;
  }
  return 'your default model';
}

/** A summary request for these links with these choices; an empty choice is left to the service's default. */
export function requestFor(urls: string[], c: Choices): SummarizeRequest {
  const req: SummarizeRequest = { urls };
  if (c.model) req.model = c.model;
  if (c.style) req.style = c.style;
  if (c.length) req.length = c.length;
  if (c.language) req.language = c.language;
  return req;
}

/** The choices that differ from the defaults (what "Use as default" would save). */
export function changedChoices(c: Choices, defaults: Choices): Partial<Choices> {
  const out: Partial<Choices> = {};
  for (const k of Object.keys(DEFAULT_SETTING) as (keyof Choices)[]) if (c[k] && c[k] !== defaults[k]) out[k] = c[k];
  return out;
}
