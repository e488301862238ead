import { screen, waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Settings } from '../src/components/Settings';
import { setup } from './render';

beforeEach(() => localStorage.clear());

// Light on purpose: Settings' internals are being rebuilt around a server-sent schema. This only
// checks that a GET /settings answer becomes sections the user sees.
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
