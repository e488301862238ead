import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Settings } from '../src/components/Settings';
import { apiStatus, setup } from './render';

beforeEach(() => localStorage.clear());

// A GET /settings answer becomes the sections its schema names.
const VIEW = {
  settings: { default_model: '', gemini_base_url: '', theme: 'dark' },
  sources: { default_model: 'default', gemini_base_url: 'default', theme: 'saved' },
  environment: {},
  secrets: { gemini_api_key: { set: true, source: 'keychain' } },
  keychain: { state: 'available', backend: 'test' },
  restart_fields: [], restart_pending: [],
  schema: [
    { key: 'gemini_base_url', type: 'string', label: 'Gemini base URL', group: 'AI providers', doc: '', restart: false },
    { key: 'gemini_api_key', type: 'secret', label: 'Gemini API key', group: 'AI providers', doc: '', restart: false },
    { key: 'theme', type: 'string', label: 'Theme', group: 'Appearance', doc: '', restart: false,
      choices: [{ value: 'system', label: 'System' }, { value: 'light', label: 'Light' }, { value: 'dark', label: 'Dark' }] },
  ],
};

describe('Settings on the user\'s path', () => {
  it('a base-URL change that cleared the stored key says so after the save', async () => {
    const saveSettings = vi.fn(async (patch: Record<string, unknown>) => ({
      ...VIEW, settings: { ...VIEW.settings, ...patch }, secrets: { gemini_api_key: { set: false, source: null } },
      cleared_secrets: ['gemini_api_key'],
    }));
    setup(<Settings />, {
      getSettings: vi.fn(async () => VIEW), saveSettings,
      voices: vi.fn(async () => ({ voices: {} })), backups: vi.fn(async () => ({ backups: [] })),
    });
    const input = await screen.findByLabelText(/Gemini base URL/);
    fireEvent.input(input, { target: { value: 'http://127.0.0.1:9999' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(saveSettings).toHaveBeenCalledWith({ gemini_base_url: 'http://127.0.0.1:9999' }));
    await screen.findByText(/The stored Gemini API key was removed because the address changed/);
  });

  it('the theme is one control: the server setting from the schema, no local-only radio', async () => {
    setup(<Settings />, {
      getSettings: vi.fn(async () => VIEW),
      voices: vi.fn(async () => ({ voices: {} })), backups: vi.fn(async () => ({ backups: [] })),
    });
    await screen.findByLabelText(/Gemini base URL/);
    expect(document.querySelectorAll('input[type="radio"][name="theme"]').length).toBe(0);
    expect(screen.queryByRole('heading', { name: 'Appearance' })).toBeNull();
    expect([...document.querySelectorAll('legend')].map((l) => l.textContent)).toContain('Appearance');
  });

  it('lists the local AI servers found, with the problem of one that is down', async () => {
    const { s } = setup(<Settings />, {
      apiStatus: vi.fn(async () => apiStatus({ local_servers: [
        { id: 'ollama', name: 'Ollama', base_url: 'http://127.0.0.1:11434/v1', up: true, models: 2 },
        { id: 'lmstudio', name: 'LM Studio', base_url: 'http://127.0.0.1:1234/v1', up: false, problem: 'LM Studio stopped answering.', models: 0 },
      ] })),
      getSettings: vi.fn(async () => VIEW),
      voices: vi.fn(async () => ({ voices: {} })), backups: vi.fn(async () => ({ backups: [] })),
    });
    await s.loadStatus();
    await screen.findByText(/2 models, no key needed/);
    await screen.findByText(/LM Studio stopped answering\./);
  });
});

describe('Settings', () => {
  it('renders the sections of a settings answer', async () => {
    const { s } = setup(<Settings />, {
      getSettings: vi.fn(async () => ({
        settings: { default_model: 'gemini-2.5-flash', default_style: 'audio', gemini_base_url: '', theme: 'dark' },
        sources: { default_model: 'saved', default_style: 'default', gemini_base_url: 'default', theme: 'saved' },
        environment: {},
        secrets: { gemini_api_key: { set: true, source: 'keychain' } },
        keychain: { state: 'available', backend: 'test' },
        restart_fields: [], restart_pending: [],
        schema: [
          { key: 'default_model', type: 'string', label: 'Default model', group: 'Summaries', doc: '', restart: false },
          { key: 'default_style', type: 'string', label: 'Default style', group: 'Summaries', doc: '', restart: false,
            choices: [{ value: 'audio', label: 'Audio' }, { value: 'key_points', label: 'Key points' }] },
          { key: 'gemini_base_url', type: 'string', label: 'Gemini base URL', group: 'AI providers', doc: '', restart: false },
          { key: 'gemini_api_key', type: 'secret', label: 'Gemini API key', group: 'AI providers', doc: '', restart: false },
          { key: 'theme', type: 'string', label: 'Theme', group: 'Appearance', doc: '', restart: false,
            choices: [{ value: 'system', label: 'System' }, { value: 'dark', label: 'Dark' }] },
        ],
      })),
      voices: vi.fn(async () => ({ voices: {} })),
      backups: vi.fn(async () => ({ backups: [] })),
    });
    await s.loadStatus();
    await waitFor(() => expect(screen.getAllByRole('group').length).toBeGreaterThan(0));
    const legends = [...document.querySelectorAll('legend')].map((l) => l.textContent);
    expect(legends).toContain('Summaries');
    expect(legends).toContain('AI providers');
  });
});
