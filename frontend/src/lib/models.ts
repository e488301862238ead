import type { ModelInfo } from './api/types';
import { humanize } from './format';

const PROVIDERS: Record<string, string> = { gemini: 'Google Gemini', google: 'Google Gemini', openai: 'OpenAI', local: 'Local' };

/** The provider's name as shown to the user. */
export function providerLabel(provider: string): string {
  return PROVIDERS[provider.toLowerCase()] ?? humanize(provider || 'Other');
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

/** The label of one model in a list: unavailable ones say that a key is needed. */
export function modelLabel(m: ModelInfo, unavailable = ' — needs a key'): string {
  return `${m.display_name || m.key}${m.available ? '' : unavailable}`;
}
