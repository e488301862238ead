import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/components/App';
import { SAMPLE_LINK } from '../src/components/Welcome';
import { apiStatus, keylessStatus, setup } from './render';
import { makeJob, makeVideo } from './helpers';

beforeEach(() => {
  localStorage.clear();
  location.hash = '#/';
});

const page = (n: number) => vi.fn(async () => ({ summaries: Array.from({ length: n }, (_, i) => makeVideo(`v${i}`)), total: n, page: 1, per_page: 1, total_pages: n }));
const text = (id: string) => screen.getByTestId(id).textContent ?? '';
/** The keychain's sentence when it is locked. */
const lockedMsg = 'The Secret Service keyring is locked, so saved keys cannot be read.';
/** getSettings of a locked keychain, saying message. */
const locked = (message = lockedMsg) => vi.fn(async () => ({ keychain: { state: 'locked', backend: 'Secret Service keyring', message } }));

describe('first-run welcome', () => {
  it('with an empty library and a Gemini key: names the model and why, says listening works', async () => {
    const { s } = setup(<App />, { cachedSummaries: page(0), apiStatus: vi.fn(async () => apiStatus({ tts_engine: 'offline' })) });
    await s.start();
    await screen.findByRole('heading', { name: 'Welcome' });
    await waitFor(() => expect(text('welcome-model')).toBe('Model: Gemini 2.5 Flash — your Gemini key is set.'));
    expect(text('welcome-key')).toContain('Settings → AI providers');
    expect(text('welcome-key')).not.toContain('free Gemini API key');
    expect(text('welcome-listen')).toBe('Listening: available with the offline voice — press ▶ Listen on any summary.');
  });

  it('without keys: the offline model and why, where to get a free Gemini key and where to paste it', async () => {
    const { s } = setup(<App />, { cachedSummaries: page(0), apiStatus: vi.fn(async () => keylessStatus()) });
    await s.start();
    await waitFor(() => expect(text('welcome-model')).toContain('Local (offline extract) — no AI key is set'));
    expect(text('welcome-key')).toContain('free Gemini API key from Google AI Studio');
    expect(text('welcome-key')).toContain('aistudio.google.com/apikey');
    expect(text('welcome-key')).toContain('Settings → AI providers');
    expect((screen.getByRole('link', { name: 'aistudio.google.com/apikey' }) as HTMLAnchorElement).href).toBe('https://aistudio.google.com/apikey');
    expect(text('welcome-listen')).toContain('not available');
  });

  it('without keys and with a locked keychain: says a saved key cannot be read, in the keychain\'s words, once (not again in the form)', async () => {
    const msg = 'The Secret Service keyring is locked or waiting for you to unlock it, so saved keys cannot be read.';
    const { s } = setup(<App />, { cachedSummaries: page(0), apiStatus: vi.fn(async () => keylessStatus()), getSettings: locked(msg) });
    await s.start();
    await waitFor(() => expect(screen.getByTestId('welcome-keychain-locked').textContent).toBe(msg));
    expect(text('welcome-model')).toContain('no AI key can be read while the keychain is locked');
    expect(text('welcome-key')).toContain('free Gemini API key'); // still how to add one
    expect(screen.queryByTestId('form-keychain-locked')).toBeNull();
  });

  it('without keys and an open keychain: no keychain sentence', async () => {
    const getSettings = vi.fn(async () => ({ keychain: { state: 'available', backend: 'Secret Service keyring', message: 'Keys are in the keyring.' } }));
    // A theme in the status, so the settings are read by the keychain lookup alone.
    const { s } = setup(<App />, { cachedSummaries: page(0), apiStatus: vi.fn(async () => ({ ...keylessStatus(), theme: 'light' })), getSettings });
    await s.start();
    await waitFor(() => expect(getSettings).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(text('welcome-key')).toContain('free Gemini API key'));
    await new Promise((r) => setTimeout(r, 20)); // the lookup's answer rendered
    expect(screen.queryByTestId('welcome-keychain-locked')).toBeNull();
  });

  it('the key link opens outside the app (system browser in the window, new tab in a browser)', async () => {
    const { s, raw } = setup(<App />, { cachedSummaries: page(0), apiStatus: vi.fn(async () => keylessStatus()) });
    await s.start();
    fireEvent.click(await screen.findByRole('link', { name: 'aistudio.google.com/apikey' }));
    expect(raw.openExternal).toHaveBeenCalledWith('https://aistudio.google.com/apikey');
  });

  it('the sample link is summarized with the user\'s default model', async () => {
    const { s, raw } = setup(<App />, { cachedSummaries: page(0) });
    await s.start();
    const field = (await screen.findByLabelText('Try a sample')) as HTMLInputElement;
    expect(field.value).toBe(SAMPLE_LINK);
    fireEvent.click(screen.getByRole('button', { name: 'Summarize the sample' }));
    await waitFor(() => expect(raw.summarize).toHaveBeenCalledTimes(1));
    expect(raw.summarize.mock.calls[0]![0]).toMatchObject({ urls: [SAMPLE_LINK], model: 'gemini-2.5-flash' });
  });

  it('is not shown when the library has a summary', async () => {
    const { s, raw } = setup(<App />, { cachedSummaries: page(1) });
    await s.start();
    await waitFor(() => expect(raw.cachedSummaries).toHaveBeenCalled());
    await screen.findByRole('heading', { name: 'Summarize' });
    expect(screen.queryByRole('heading', { name: 'Welcome' })).toBeNull();
  });

  it('disappears once a job makes the first summary', async () => {
    const { s, watchers } = setup(<App />, { cachedSummaries: page(0) });
    await s.start();
    await screen.findByRole('heading', { name: 'Welcome' });
    await s.jobs.submit({ urls: ['u'] });
    watchers.get('j1')!.onJob(makeJob({ status: 'completed', total_items: 1, progress: 1, results: [makeVideo('v1')] }));
    await waitFor(() => expect(screen.queryByRole('heading', { name: 'Welcome' })).toBeNull());
  });
});

describe('Summarize form with a locked keychain', () => {
  const msg = lockedMsg;

  it('once the welcome is gone: says why only the offline model can summarize, in the keychain\'s words', async () => {
    const { s } = setup(<App />, { cachedSummaries: page(1), apiStatus: vi.fn(async () => keylessStatus()), getSettings: locked() });
    await s.start();
    await waitFor(() => expect(text('form-keychain-locked')).toBe(`Only the offline model can summarize now: ${msg}`));
    expect(screen.queryByRole('heading', { name: 'Welcome' })).toBeNull();
  });

  const withServer = (up: boolean) => vi.fn(async () => {
    const st = keylessStatus();
    return { ...st, models: [...(st.models ?? []), { key: 'llama3.2:3b', provider: 'ollama', display_name: 'llama3.2:3b', available: up }] };
  });

  it('with a local LLM server running: does not claim only the offline model can summarize', async () => {
    const { s } = setup(<App />, { cachedSummaries: page(1), apiStatus: withServer(true), getSettings: locked() });
    await s.start();
    await waitFor(() => expect(text('form-keychain-locked')).toBe(`Models that need a key cannot summarize now: ${msg}`));
    expect(text('form-keychain-locked')).not.toContain('Only the offline model');
  });

  it('with a local LLM server that is not running: only the offline model can summarize', async () => {
    const { s } = setup(<App />, { cachedSummaries: page(1), apiStatus: withServer(false), getSettings: locked() });
    await s.start();
    await waitFor(() => expect(text('form-keychain-locked')).toBe(`Only the offline model can summarize now: ${msg}`));
  });

  it('the note goes when a status reload says a key is now set', async () => {
    let st = { ...keylessStatus(), theme: 'light' };
    const { s } = setup(<App />, { cachedSummaries: page(1), apiStatus: vi.fn(async () => st), getSettings: locked() });
    await s.start();
    await waitFor(() => expect(text('form-keychain-locked')).toBe(`Only the offline model can summarize now: ${msg}`));
    st = { ...apiStatus(), theme: 'light' };
    await s.loadStatus();
    await waitFor(() => expect(screen.queryByTestId('form-keychain-locked')).toBeNull());
  });

  it('a status reload neither reads the settings again nor hides the note meanwhile', async () => {
    const getSettings = locked();
    // A theme in the status, so only the keychain lookup reads the settings.
    const { s, raw } = setup(<App />, { cachedSummaries: page(1), apiStatus: vi.fn(async () => ({ ...keylessStatus(), theme: 'light' })), getSettings });
    await s.start();
    await waitFor(() => expect(text('form-keychain-locked')).toBe(`Only the offline model can summarize now: ${msg}`));
    expect(getSettings).toHaveBeenCalledTimes(1);
    let hidden = false;
    const seen = new MutationObserver(() => {
      if (!screen.queryByTestId('form-keychain-locked')) hidden = true;
    });
    seen.observe(document.body, { childList: true, subtree: true, characterData: true });
    await s.loadStatus();
    await waitFor(() => expect(raw.apiStatus).toHaveBeenCalledTimes(2));
    await new Promise((r) => setTimeout(r, 50)); // the reload rendered, effects ran
    seen.disconnect();
    expect(getSettings).toHaveBeenCalledTimes(1);
    expect(hidden).toBe(false);
    expect(text('form-keychain-locked')).toBe(`Only the offline model can summarize now: ${msg}`);
  });

  it('says nothing when a key is set, even with the keychain locked', async () => {
    const getSettings = locked();
    // A theme in the status, so only the keychain lookup could read the settings.
    const { s, raw } = setup(<App />, { cachedSummaries: page(1), apiStatus: vi.fn(async () => ({ ...apiStatus(), theme: 'light' })), getSettings });
    await s.start();
    await screen.findByRole('heading', { name: 'Summarize' });
    await waitFor(() => expect(raw.cachedSummaries).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 20));
    expect(getSettings).not.toHaveBeenCalled(); // a key is readable: nothing to explain
    expect(screen.queryByTestId('form-keychain-locked')).toBeNull();
  });
});

describe('theme', () => {
  it('the server setting wins over the cached one, and is cached for the next first paint', async () => {
    localStorage.setItem('ytsum.theme', '"light"');
    const { s } = setup(<App />, { getSettings: vi.fn(async () => ({ settings: { theme: 'dark' } })) });
    await s.start();
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
    expect(localStorage.getItem('ytsum.theme')).toBe('"dark"');
  });

  it('a theme chosen in this UI is saved on the server', async () => {
    const { s, raw } = setup(<App />);
    await s.start();
    await waitFor(() => expect(raw.getSettings).toHaveBeenCalled());
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('system'));
    s.prefs.update({ theme: 'dark' });
    expect(raw.saveSettings).toHaveBeenCalledWith({ theme: 'dark' });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
  });
});

describe('welcome while the status loads', () => {
  it('says loading for the model, keys and listening, not "no key"', async () => {
    const { s } = setup(<App />, { cachedSummaries: page(0), apiStatus: vi.fn(() => new Promise<never>(() => {})) });
    void s.start();
    await screen.findByRole('heading', { name: 'Welcome' });
    expect(text('welcome-model')).toBe('Model: loading…');
    expect(text('welcome-key')).toBe('Keys: loading…');
    expect(text('welcome-listen')).toBe('Listening: loading…');
  });
});
