import type { ComponentChildren } from 'preact';
import { render } from '@testing-library/preact';
import { vi } from 'vitest';
import { ServicesContext } from '../src/components/context';
import type { ApiStatus, ModelInfo } from '../src/lib/api/types';
import { createPrefs, loadPrefs } from '../src/stores/prefs';
import { createServices, type Services } from '../src/stores/services';
import { fakeTransport } from './fake-transport';
import { FakeAudio } from './helpers';

export { FakeAudio };

export const MODELS: ModelInfo[] = [
  { key: 'local', provider: 'local', display_name: 'Local (offline extract)', available: true },
  { key: 'gemini-2.5-flash', provider: 'gemini', display_name: 'Gemini 2.5 Flash', available: true },
  { key: 'gemini-2.5-pro', provider: 'gemini', display_name: 'Gemini 2.5 Pro', available: true },
  { key: 'gpt-5-mini', provider: 'openai', display_name: 'GPT-5 mini', available: false },
];

/** GET /api_status of a user with a Gemini key set and the defaults a fresh install has. */
export function apiStatus(p: Partial<ApiStatus> = {}): ApiStatus {
  return {
    async_processing_enabled: true, sse_enabled: true, available_models: ['local', 'gemini-2.5-flash', 'gemini-2.5-pro'],
    models: MODELS, default_model: 'gemini-2.5-flash', defaults: { style: 'audio', length: 'medium', language: 'en' },
    google_api_key_set: true, openai_api_key_set: false, tts_available: true, version: 'test', ...p,
  };
}

/** No key at all: only the offline model is available, and it is the default. */
export function keylessStatus(): ApiStatus {
  return apiStatus({
    models: MODELS.map((m) => ({ ...m, available: m.key === 'local' })), available_models: ['local'],
    default_model: 'local', google_api_key_set: false, openai_api_key_set: false, tts_available: false,
  });
}

/**
 * setup makes the real services over a fake transport (over: its stubs) and renders ui with
 * them. start() is NOT called: tests call s.start() (or s.loadStatus()) when they want the
 * status to arrive.
 */
export function setup(ui: ComponentChildren, over: Parameters<typeof fakeTransport>[0] = {}) {
  const ft = fakeTransport({
    loginStatus: vi.fn(async () => ({ login_enabled: false, authenticated: true })),
    apiStatus: vi.fn(async () => apiStatus()),
    getSettings: vi.fn(async () => ({ settings: { theme: 'system' } })),
    saveSettings: vi.fn(async () => ({})),
    ...over,
  });
  const audio = new FakeAudio();
  const s: Services = createServices(ft.t, createPrefs(loadPrefs()), { audio });
  const r = render(<ServicesContext.Provider value={s}>{ui}</ServicesContext.Provider>);
  return { ...ft, ...r, s, audio };
}
