import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Settings } from '../src/components/Settings';
import { apiStatus, setup } from './render';

beforeEach(() => localStorage.clear());

// A GET /settings answer shaped like the server's: its schema's groups, in order, become the
// page's sections (the real schema's eight groups, a few fields each).
const VIEW = {
  settings: {
    default_model: '', gemini_base_url: '', transcript_languages: [], youtube_pacing_ms: 250, youtube_concurrency: 2,
    worker_pool_size: 4, max_concurrent_jobs: 10, audio_cache_max_mb: 50, http_enabled: false, theme: 'dark', insecure_file_keystore: false,
  },
  sources: {},
  environment: {},
  secrets: { gemini_api_key: { set: true, source: 'keychain' } },
  keychain: { state: 'available', backend: 'Secret Service' },
  restart_fields: ['youtube_concurrency', 'worker_pool_size'], restart_pending: ['worker_pool_size'],
  schema: [
    { key: 'default_model', type: 'string', label: 'Default model', group: 'Summaries and models', doc: '', restart: false },
    { key: 'gemini_base_url', type: 'string', label: 'Gemini base URL', group: 'Summaries and models', doc: '', restart: false },
    { key: 'gemini_api_key', type: 'secret', label: 'Gemini API key', group: 'Summaries and models', doc: '', restart: false },
    { key: 'transcript_languages', type: 'list', label: 'Transcript languages', group: 'YouTube', doc: '', restart: false },
    { key: 'youtube_pacing_ms', type: 'int', label: 'YouTube pacing (ms)', group: 'YouTube', doc: '', restart: false, min: 250, max: 60000 },
    { key: 'youtube_concurrency', type: 'int', label: 'YouTube concurrency', group: 'YouTube', doc: '', restart: true, min: 1, max: 8 },
    { key: 'worker_pool_size', type: 'int', label: 'Workers', group: 'Jobs', doc: '', restart: true, min: 1, max: 64 },
    { key: 'max_concurrent_jobs', type: 'int', label: 'Max concurrent jobs', group: 'Jobs', doc: '', restart: false, min: 1, max: 1000 },
    { key: 'audio_cache_max_mb', type: 'int', label: 'Audio cache max mb', group: 'Voice and audio', doc: '', restart: false, min: 1, max: 100000 },
    { key: 'http_enabled', type: 'bool', label: 'Http enabled', group: 'HTTP server and login', doc: '', restart: true },
    { key: 'theme', type: 'string', label: 'Theme', group: 'Interface', doc: '', restart: false,
      choices: [{ value: 'system', label: 'System' }, { value: 'light', label: 'Light' }, { value: 'dark', label: 'Dark' }] },
    { key: 'insecure_file_keystore', type: 'bool', label: 'Allow keeping keys in a file (less safe)', group: 'Keychain', doc: '', restart: false },
  ],
};

const stubs = (over: Record<string, unknown> = {}) => ({
  getSettings: vi.fn(async () => VIEW),
  voices: vi.fn(async () => ({ voices: {} })), backups: vi.fn(async () => ({ backups: [] })),
  ...over,
});

const index = () => screen.getByRole('navigation', { name: 'Settings sections' });
const section = (name: string) => within(index()).getByRole('button', { name: new RegExp(`^${name}`) });
const legends = () => [...document.querySelectorAll('legend')].map((l) => l.textContent);

describe('Settings: one section at a time', () => {
  it('the index names the schema\'s groups in order, then the parts that are not settings; the first group is shown', async () => {
    setup(<Settings />, stubs());
    await screen.findByLabelText(/Gemini base URL/);
    const names = within(index()).getAllByRole('button').map((b) => b.textContent);
    expect(names).toEqual(['Summaries and models', 'YouTube', 'Jobs', 'Voice and audio', 'HTTP server and login', 'Interface', 'Keychain',
      'Connection', 'Import and backups']);
    expect(section('Summaries and models').getAttribute('aria-current')).toBe('true');
    expect(legends()).toEqual(['Summaries and models']);
    expect(screen.queryByLabelText(/YouTube pacing/)).toBeNull();
  });

  it('going to a group shows its fields and only them', async () => {
    setup(<Settings />, stubs());
    await screen.findByLabelText(/Gemini base URL/);
    fireEvent.click(section('YouTube'));
    expect(screen.getByRole('heading', { name: 'YouTube' })).toBeTruthy();
    expect(screen.getByLabelText(/YouTube pacing/)).toBeTruthy();
    expect(screen.getByLabelText(/Transcript languages/)).toBeTruthy();
    expect(screen.queryByLabelText(/Gemini base URL/)).toBeNull();
    expect(section('YouTube').getAttribute('aria-current')).toBe('true');
    expect(section('Summaries and models').getAttribute('aria-current')).toBeNull();
    // Sections that are not settings: the import and the backups.
    fireEvent.click(section('Import and backups'));
    expect(screen.getByRole('button', { name: 'Create a backup now' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save settings' })).toBeNull();
  });

  it('the filter narrows the fields to those whose label matches, across groups', async () => {
    setup(<Settings />, stubs());
    await screen.findByLabelText(/Gemini base URL/);
    const filter = screen.getByRole('searchbox', { name: 'Filter settings' });
    fireEvent.input(filter, { target: { value: 'concurr' } });
    expect(screen.getByLabelText(/YouTube concurrency/)).toBeTruthy();
    expect(screen.getByLabelText(/Max concurrent jobs/)).toBeTruthy();
    expect(screen.queryByLabelText(/Gemini base URL/)).toBeNull();
    expect(screen.queryByLabelText(/YouTube pacing/)).toBeNull();
    expect(legends()).toEqual(['YouTube', 'Jobs']);
    fireEvent.input(filter, { target: { value: 'youtube pacing' } });
    expect(document.querySelectorAll('.field').length).toBe(1);
    fireEvent.input(filter, { target: { value: 'zeppelin' } });
    expect(screen.getByText(/No setting matches “zeppelin”/)).toBeTruthy();
    expect(document.querySelectorAll('.field').length).toBe(0);
    // Choosing a section clears the filter.
    fireEvent.click(section('Jobs'));
    expect((filter as HTMLInputElement).value).toBe('');
    expect(screen.getByLabelText(/Workers/)).toBeTruthy();
  });

  it('saving a change in a non-first group sends that change (and the ones made in other groups)', async () => {
    const saveSettings = vi.fn(async (patch: Record<string, unknown>) => ({ ...VIEW, settings: { ...VIEW.settings, ...patch } }));
    setup(<Settings />, stubs({ saveSettings }));
    await screen.findByLabelText(/Gemini base URL/);
    fireEvent.click(section('YouTube'));
    fireEvent.input(screen.getByLabelText(/YouTube pacing/), { target: { value: '500' } });
    fireEvent.click(section('Jobs'));
    expect(section('YouTube').textContent).toContain('unsaved changes');
    screen.getByText('Unsaved changes in YouTube.');
    fireEvent.input(screen.getByLabelText(/Max concurrent jobs/), { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(saveSettings).toHaveBeenCalledWith({ youtube_pacing_ms: 500, max_concurrent_jobs: 3 }));
    await screen.findByText('Saved.');
    expect(section('YouTube').textContent).toBe('YouTube');
  });

  it('a field that needs attention in another group is named where it is, and nothing is sent', async () => {
    const saveSettings = vi.fn(async () => VIEW);
    setup(<Settings />, stubs({ saveSettings }));
    await screen.findByLabelText(/Gemini base URL/);
    fireEvent.click(section('YouTube'));
    fireEvent.input(screen.getByLabelText(/YouTube pacing/), { target: { value: '10' } });
    fireEvent.click(section('Interface'));
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await screen.findByText('Some fields need attention (YouTube).');
    expect(saveSettings).not.toHaveBeenCalled();
    fireEvent.click(section('YouTube'));
    expect(screen.getByText('Must be at least 250.')).toBeTruthy();
  });

  it('marks the settings that apply after a restart, and the changed ones waiting for it', async () => {
    setup(<Settings />, stubs());
    await screen.findByLabelText(/Gemini base URL/);
    expect(document.querySelectorAll('.badge-restart').length).toBe(0);
    fireEvent.click(section('YouTube'));
    const conc = screen.getByLabelText(/YouTube concurrency/).closest('.field')!;
    expect(conc.querySelector('.badge-restart')?.textContent).toBe('restart');
    expect(conc.textContent).toContain('Applies after a restart.');
    expect(screen.getByLabelText(/YouTube pacing/).closest('.field')!.querySelector('.badge-restart')).toBeNull();
    fireEvent.click(section('Jobs'));
    const workers = screen.getByLabelText(/Workers/).closest('.field')!;
    expect(workers.querySelector('.badge-pending')?.textContent).toBe('restart pending');
    expect(workers.textContent).toContain('Changed: restart the app to apply it.');
  });

  it('the parts that are not settings sit under their group: the voices under Voice and audio, the API token under HTTP', async () => {
    setup(<Settings />, stubs({ voices: vi.fn(async () => ({ voices: { 'en-US-A': { display_name: 'Ava', tier: 'standard' } } })) }));
    await screen.findByLabelText(/Gemini base URL/);
    expect(screen.queryByText('Ava')).toBeNull();
    fireEvent.click(section('Voice and audio'));
    await screen.findByText('Ava');
    expect(screen.getByLabelText(/Audio cache max mb/)).toBeTruthy();
    fireEvent.click(section('HTTP server and login'));
    expect(screen.getByRole('heading', { name: 'API token' })).toBeTruthy();
  });

  it('the keychain\'s state is shown in the Keychain section', async () => {
    setup(<Settings />, stubs());
    await screen.findByLabelText(/Gemini base URL/);
    expect(screen.queryByText('Secret Service')).toBeNull();
    fireEvent.click(section('Keychain'));
    expect(screen.getByText('Secret Service')).toBeTruthy();
    expect(screen.getByLabelText(/Allow keeping keys in a file/)).toBeTruthy();
  });
});

describe('Settings on the user\'s path', () => {
  it('a base-URL change that cleared the stored key says so after the save', async () => {
    const saveSettings = vi.fn(async (patch: Record<string, unknown>) => ({
      ...VIEW, settings: { ...VIEW.settings, ...patch }, secrets: { gemini_api_key: { set: false, source: null } },
      cleared_secrets: ['gemini_api_key'],
    }));
    setup(<Settings />, stubs({ saveSettings }));
    const input = await screen.findByLabelText(/Gemini base URL/);
    fireEvent.input(input, { target: { value: 'http://127.0.0.1:9999' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(saveSettings).toHaveBeenCalledWith({ gemini_base_url: 'http://127.0.0.1:9999' }));
    await screen.findByText(/The stored Gemini API key was removed because the address changed/);
  });

  it('the theme is one control: the server setting from the schema, no local-only radio', async () => {
    setup(<Settings />, stubs());
    await screen.findByLabelText(/Gemini base URL/);
    fireEvent.click(section('Interface'));
    expect(document.querySelectorAll('input[type="radio"][name="theme"]').length).toBe(0);
    expect((screen.getByLabelText(/Theme/) as HTMLSelectElement).value).toBe('dark');
    expect(legends()).toEqual(['Interface']);
  });

  it('lists the local AI servers found, with the problem of one that is down, under the models', async () => {
    const { s } = setup(<Settings />, stubs({
      apiStatus: vi.fn(async () => apiStatus({ local_servers: [
        { id: 'ollama', name: 'Ollama', base_url: 'http://127.0.0.1:11434/v1', up: true, models: 2 },
        { id: 'lmstudio', name: 'LM Studio', base_url: 'http://127.0.0.1:1234/v1', up: false, problem: 'LM Studio stopped answering.', models: 0 },
      ] })),
    }));
    await s.loadStatus();
    await screen.findByText(/2 models, no key needed/);
    await screen.findByText(/LM Studio stopped answering\./);
  });
});

describe('Settings with a schema of other groups', () => {
  it('parts meant to sit under a group the schema lacks get their own entry', async () => {
    setup(<Settings />, stubs({
      getSettings: vi.fn(async () => ({ ...VIEW, schema: [
        { key: 'theme', type: 'string', label: 'Theme', group: 'Appearance', doc: '', restart: false,
          choices: [{ value: 'system', label: 'System' }, { value: 'dark', label: 'Dark' }] },
      ] })),
      voices: vi.fn(async () => ({ voices: { 'en-US-A': { display_name: 'Ava', tier: 'standard' } } })),
    }));
    await screen.findByLabelText(/Theme/);
    const names = within(index()).getAllByRole('button').map((b) => b.textContent);
    expect(names).toEqual(['Appearance', 'Connection', 'Local AI servers', 'Voice', 'API token', 'Import and backups']);
    fireEvent.click(section('Voice'));
    await screen.findByText('Ava');
    expect(screen.queryByLabelText(/Theme/)).toBeNull();
  });
});
