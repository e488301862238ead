import { screen, waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Settings } from '../src/components/Settings';
import { setup } from './render';

beforeEach(() => localStorage.clear());

// A GET /settings answer becomes the sections its schema names.
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
