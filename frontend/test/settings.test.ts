import { describe, expect, it } from 'vitest';
import { coerce, normalizeSettings, validate } from '../src/lib/settings';
import { applyTheme, createPrefs, loadPrefs } from '../src/stores/prefs';

describe('normalizeSettings', () => {
  it('flat objects: plain values, descriptors, secrets and panels', () => {
    const n = normalizeSettings({
      data_dir: '/tmp/x',
      debug: false,
      worker_pool_size: { value: 4, label: 'Workers', help: 'Goroutines.', type: 'int', min: 1, max: 64, group: 'Jobs', source: 'env' },
      gemini_api_key: { set: true, last4: 'abcd' },
      openai_api_key_set: false,
      login_code_set: true,
      login_code_last4: '9876',
      tts_voice: { value: 'v1', options: [{ value: 'v1', label: 'Zephyr' }, 'v2'] },
      keychain: { available: false, message: 'No keychain; secrets are kept in an encrypted file.' },
    });
    const by = Object.fromEntries(n.fields.map((f) => [f.name, f]));
    expect(by.data_dir!.type).toBe('text');
    expect(by.debug!.type).toBe('bool');
    expect(by.worker_pool_size).toMatchObject({ type: 'number', label: 'Workers', min: 1, max: 64, env: true, group: 'Jobs' });
    expect(by.gemini_api_key).toMatchObject({ type: 'secret', secret: { set: true, last4: 'abcd' } });
    expect(by.gemini_api_key!.value).toBeUndefined();
    expect(by.openai_api_key).toMatchObject({ type: 'secret', secret: { set: false, last4: '' } });
    expect(by.login_code).toMatchObject({ type: 'secret', secret: { set: true, last4: '9876' } });
    expect(by.tts_voice!.options).toEqual([{ value: 'v1', label: 'Zephyr' }, { value: 'v2', label: 'v2' }]);
    expect(n.panels.map((p) => p.name)).toEqual(['keychain']);
  });

  it('the fields form', () => {
    const n = normalizeSettings({ fields: [{ name: 'port', type: 'int', value: 5001, help: 'TCP port.' }, { name: 'openai_api_key', type: 'secret', set: false }], keychain: { available: true } });
    expect(n.fields.map((f) => [f.name, f.type])).toEqual([['port', 'number'], ['openai_api_key', 'secret']]);
    expect(n.panels).toHaveLength(1);
  });

  it('never keeps a secret value', () => {
    const n = normalizeSettings({ api_token: { value: 'sk-should-not-be-here', type: 'secret', set: true } });
    expect(n.fields[0]!.value).toBeUndefined();
  });

  it('coerce and validate', () => {
    const f = normalizeSettings({ n: { value: 1, min: 1, max: 3 } }).fields[0]!;
    expect(coerce(f, '2')).toBe(2);
    expect(validate(f, coerce(f, '9'))).toBe('Must be at most 3.');
    expect(validate(f, coerce(f, 'abc'))).toBe('Enter a number.');
    const l = normalizeSettings({ hosts: ['a'] }).fields[0]!;
    expect(coerce(l, 'a, b\nc')).toEqual(['a', 'b', 'c']);
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

  it('reads the server view: sources, environment, secrets, keychain, restart fields', () => {
    const n = normalizeSettings({
      settings: { default_style: 'audio', openai_base_url: 'http://127.0.0.1:9', worker_pool_size: 4, theme: 'dark', brand_new: 'x' },
      sources: { default_style: 'default', openai_base_url: 'environment', worker_pool_size: 'saved', theme: 'saved', brand_new: 'default' },
      environment: { openai_base_url: { variable: 'YTSUM_OPENAI_URL', note: 'set by environment' } },
      secrets: {
        gemini_api_key: { set: true, last4: 'abcd', source: 'keychain' },
        openai_api_key: { set: true, source: 'environment', variable: 'OPENAI_API_KEY' },
        api_token: { set: true, source: 'keychain' },
      },
      keychain: { state: 'locked', backend: 'Secret Service', message: 'Unlock it.', file_fallback: false },
      restart_fields: ['worker_pool_size'], restart_pending: [],
    });
    const by = Object.fromEntries(n.fields.map((f) => [f.name, f]));
    expect(by.default_style!.type).toBe('select');
    expect(by.default_style!.options?.map((o) => o.value)).toContain('key_points');
    expect(by.openai_base_url!.env).toBe(true);
    expect(by.openai_base_url!.help).toContain('YTSUM_OPENAI_URL');
    expect(by.worker_pool_size!.help).toContain('restart');
    expect(by.gemini_api_key!.type).toBe('secret');
    expect(by.gemini_api_key!.secret).toEqual({ set: true, last4: 'abcd' });
    expect(by.gemini_api_key!.value).toBeUndefined();
    expect(by.openai_api_key!.env).toBe(true);
    expect(by.api_token).toBeUndefined();
    expect(by.brand_new!.group).toBe('Other');
    expect(n.fields[0]!.group).toBe('Summaries');
    expect(n.panels.map((p) => p.name)).toEqual(['keychain']);
  });
});
