import { describe, expect, it } from 'vitest';
import { changedChoices, defaultModel, pickerModels, requestFor, serverDefaults, whyModel } from '../src/lib/models';
import { themeOf } from '../src/stores/prefs';
import { apiStatus, keylessStatus, MODELS } from './render';

describe('defaults from the service', () => {
  it('default_model wins; an older service without it gets the first available non-offline model', () => {
    expect(defaultModel(null)).toBe('');
    expect(defaultModel(apiStatus({ default_model: 'gemini-2.5-pro' }))).toBe('gemini-2.5-pro');
    expect(defaultModel(apiStatus({ default_model: undefined }))).toBe('gemini-2.5-flash');
    expect(defaultModel(keylessStatus())).toBe('local');
    expect(defaultModel({ ...keylessStatus(), default_model: undefined })).toBe('local');
    expect(defaultModel({ ...apiStatus(), default_model: undefined, models: [] })).toBe('local');
  });

  it('the picker always has the offline model', () => {
    expect(pickerModels(null).map((m) => [m.key, m.available])).toEqual([['local', true]]);
    expect(pickerModels(apiStatus())).toBe(MODELS);
  });

  it('unknown defaults are left out of the request; known ones are sent', () => {
    expect(requestFor(['u'], serverDefaults(null))).toEqual({ urls: ['u'] });
    expect(requestFor(['u'], serverDefaults(apiStatus()))).toEqual({ urls: ['u'], model: 'gemini-2.5-flash', style: 'audio', length: 'medium', language: 'en' });
    const d = serverDefaults(apiStatus());
    expect(changedChoices({ ...d, style: 'chapters' }, d)).toEqual({ style: 'chapters' });
    expect(changedChoices(d, d)).toEqual({});
  });

  it('why this model, in words', () => {
    expect(whyModel('gemini-2.5-flash', apiStatus())).toBe('your Gemini key is set');
    expect(whyModel('gpt-5-mini', apiStatus({ openai_api_key_set: true }))).toBe('your OpenAI key is set');
    expect(whyModel('local', keylessStatus())).toMatch(/^no AI key is set/);
    expect(whyModel('local', apiStatus())).toBe('chosen as your default model in Settings');
  });
});

describe('themeOf', () => {
  it('reads the theme out of every settings shape; empty is system; junk is null', () => {
    expect(themeOf({ settings: { theme: 'dark' }, sources: {} })).toBe('dark');
    expect(themeOf({ theme: 'light' })).toBe('light');
    expect(themeOf({ theme: { value: 'dark', label: 'Theme' } })).toBe('dark');
    expect(themeOf({ fields: [{ name: 'theme', value: 'light' }] })).toBe('light');
    expect(themeOf({ settings: { theme: '' } })).toBe('system');
    expect(themeOf({ settings: { theme: 'purple' } })).toBeNull();
    expect(themeOf({ settings: {} })).toBeNull();
    expect(themeOf(null)).toBeNull();
  });
});
