import { describe, expect, it } from 'vitest';
import { coerce, normalizeSettings, validate } from '../src/lib/settings';
import { applyTheme, createPrefs, loadPrefs } from '../src/stores/prefs';

describe('normalizeSettings', () => {
  const view = {
    settings: { worker_pool_size: 4, playlist_mode: 'prefer_video', custom_prompt: '', allowed_hosts: ['a'], sse_enabled: true },
    sources: { worker_pool_size: 'environment' },
    environment: { worker_pool_size: { variable: 'WORKER_POOL_SIZE', note: 'set by environment' } },
    secrets: { gemini_api_key: { set: true, last4: 'abcd', source: 'keychain' }, api_token: { set: true, source: 'keychain' } },
    keychain: { state: 'available', backend: 'test' },
    restart_fields: ['worker_pool_size'],
    restart_pending: [],
    schema: [
      { key: 'playlist_mode', type: 'string', label: 'Playlist mode', group: 'YouTube', doc: 'Which one.', restart: false,
        choices: [{ value: 'prefer_video', label: 'Just the video' }, { value: 'prefer_playlist', label: 'The whole playlist' }] },
      { key: 'worker_pool_size', type: 'int', label: 'Worker pool size', group: 'Jobs', doc: 'Goroutines.', min: 1, max: 64, restart: true, env: 'WORKER_POOL_SIZE' },
      { key: 'sse_enabled', type: 'bool', label: 'Live updates', group: 'Jobs', doc: 'SSE.', restart: false },
      { key: 'custom_prompt', type: 'text', label: 'Custom prompt', group: 'Summaries', doc: 'Prompt.', restart: false },
      { key: 'allowed_hosts', type: 'list', label: 'Allowed hosts', group: 'HTTP', doc: 'Hosts.', restart: true },
      { key: 'gemini_api_key', type: 'secret', label: 'Gemini API key', group: 'Summaries', doc: 'Key.', restart: false },
    ],
  };

  it('renders the schema: order, sections, labels, choices, bounds and values', () => {
    const n = normalizeSettings(view);
    expect(n.fields.map((f) => [f.name, f.type, f.group])).toEqual([
      ['playlist_mode', 'select', 'YouTube'], ['worker_pool_size', 'number', 'Jobs'], ['sse_enabled', 'bool', 'Jobs'],
      ['custom_prompt', 'textarea', 'Summaries'], ['allowed_hosts', 'list', 'HTTP'], ['gemini_api_key', 'secret', 'Summaries'],
    ]);
    const by = Object.fromEntries(n.fields.map((f) => [f.name, f]));
    expect(by.playlist_mode!.options).toEqual([{ value: 'prefer_video', label: 'Just the video' }, { value: 'prefer_playlist', label: 'The whole playlist' }]);
    expect(by.worker_pool_size).toMatchObject({ value: 4, min: 1, max: 64, env: true, label: 'Worker pool size' });
    expect(by.worker_pool_size!.help).toContain('WORKER_POOL_SIZE');
    expect(by.worker_pool_size!.help).toContain('Applies after a restart.');
    expect(by.gemini_api_key).toMatchObject({ type: 'secret', secret: { set: true, last4: 'abcd' } });
    expect(by.gemini_api_key!.value).toBeUndefined();
    expect(n.fields.some((f) => f.name === 'api_token')).toBe(false);
    expect(n.panels.map((p) => p.name)).toEqual(['keychain']);
  });

  it('a row the schema does not name is not shown; an answer without a schema shows nothing', () => {
    expect(normalizeSettings({ ...view, settings: { ...view.settings, unknown: 1 } }).fields.some((f) => f.name === 'unknown')).toBe(false);
    expect(normalizeSettings({ settings: { a: 1 } }).fields).toEqual([]);
  });

  it('coerce and validate', () => {
    const by = Object.fromEntries(normalizeSettings(view).fields.map((f) => [f.name, f]));
    const f = by.worker_pool_size!;
    expect(coerce(f, '2')).toBe(2);
    expect(validate(f, coerce(f, '99'))).toBe('Must be at most 64.');
    expect(validate(f, coerce(f, 'abc'))).toBe('Enter a number.');
    expect(coerce(by.allowed_hosts!, 'a, b\nc')).toEqual(['a', 'b', 'c']);
  });
});

describe('prefs', () => {
  it('are remembered and invalid stored values are ignored', () => {
    localStorage.clear();
    const p = createPrefs(loadPrefs());
    p.update({ sort: 'title', perPage: 50, connection: 'periodic', theme: 'dark' });
    expect(loadPrefs()).toMatchObject({ sort: 'title', perPage: 50, connection: 'periodic', theme: 'dark' });
    localStorage.setItem('ytsum.perPage', '7');
    localStorage.setItem('ytsum.sort', '"<script>"');
    localStorage.setItem('ytsum.theme', '{broken');
    expect(loadPrefs()).toMatchObject({ perPage: 10, sort: 'newest', theme: 'system' });
  });
  it('theme goes to <html data-theme>', () => {
    applyTheme('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
  });
});
