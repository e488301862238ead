import { toApiError } from '../lib/api/errors';
import type { Transport } from '../lib/api/transport';
import type { ApiStatus, JSONObject } from '../lib/api/types';
import { DEFAULT_SETTING, type Choices } from '../lib/models';
import { createStore, type Store } from '../lib/store';
import { completionMessage, createJobs, flatItems, type JobsStore } from './jobs';
import { createLibrary, type LibraryStore } from './library';
import { createPlayer, type AudioLike, type PlayerStore } from './player';
import { createPrefs, themeOf, type PrefsStore, type Theme } from './prefs';
import { createToasts, type ToastStore } from './toasts';

export interface StatusState {
  api: ApiStatus | null;
  error: string | null;
  needLogin: boolean;
}

/** Everything the components use; created once at start and passed down by context. */
export interface Services {
  transport: Transport;
  prefs: PrefsStore;
  toasts: ToastStore;
  jobs: JobsStore;
  library: LibraryStore;
  player: PlayerStore;
  status: Store<StatusState>;
  announcer: Store<string>;
  /** Whether the library holds any summary: null until known (the welcome shows only on false). */
  hasSummaries: Store<boolean | null>;
  /**
   * Reloads GET /api_status (models and the saved defaults) and, without waiting for it, the
   * server's theme. Never rejects: a failure is status.error (or needLogin).
   */
  loadStatus(): Promise<void>;
  /**
   * Saves form choices as the defaults of every front end (POST /settings: default_model,
   * default_style, default_length, output_language); empty values are left alone. Rejects
   * with the service's sentence when it refuses; on success the status shows the new defaults.
   */
  saveDefaults(c: Partial<Choices>): Promise<void>;
  start(): Promise<void>;
  dispose(): void;
}

export interface ServicesOptions {
  /** The player's audio element (tests pass a fake). */
  audio?: AudioLike;
}

export function createServices(transport: Transport, prefs: PrefsStore = createPrefs(), opts: ServicesOptions = {}): Services {
  transport.setConnectionMethod(prefs.get().connection);
  transport.setProcessingMode(prefs.get().processing);
  const announcer = createStore('');
  const toasts = createToasts();
  const jobs = createJobs(transport, { announce: (m) => announcer.set(m) });
  const library = createLibrary(transport, prefs);
  const player = createPlayer(transport, prefs, opts.audio ? { audio: opts.audio } : {});
  const status = createStore<StatusState>({ api: null, error: null, needLogin: false });
  const hasSummaries = createStore<boolean | null>(null);

  const unFinished = jobs.onFinished((j) => {
    void library.refresh();
    if (j.status !== 'completed') return;
    // Only a job that made summaries sends the user to the library; the card says the rest.
    const items = flatItems(j.results);
    const made = items.some((i) => 'summary' in i && i.summary);
    if (made) hasSummaries.set(true);
    if (made) toasts.show(completionMessage(j) + ' The summaries are in your library.', { kind: items.some((i) => i.error) ? 'info' : 'success' });
  });
  const unLibrary = library.subscribe((l) => { if (l.items.length) hasSummaries.set(true); });

  // The theme is one server setting. prefs.theme only caches the last value the server sent
  // (for the first paint); a theme chosen anywhere in this UI is saved on the server.
  let lastTheme: Theme = prefs.get().theme;
  let fromServer = false;
  const applyServerTheme = (t: Theme | null) => {
    if (!t) return;
    lastTheme = t;
    fromServer = true;
    try { prefs.update({ theme: t }); } finally { fromServer = false; }
  };
  const unPrefs = prefs.subscribe((p) => {
    transport.setConnectionMethod(p.connection);
    transport.setProcessingMode(p.processing);
    if (p.theme !== lastTheme && !fromServer) {
      lastTheme = p.theme;
      transport.saveSettings({ theme: p.theme }).catch((e: unknown) => toasts.show(toApiError(e).message, { kind: 'error' }));
    }
  });
  const loadTheme = async (api: ApiStatus | null) => {
    if (typeof api?.theme === 'string') return applyServerTheme(themeOf({ theme: api.theme }));
    try {
      applyServerTheme(themeOf(await transport.getSettings()));
    } catch {
      /* the cached theme stays */
    }
  };

  const loadStatus = async () => {
    try {
      const api = await transport.apiStatus();
      status.set({ ...status.get(), api, error: null });
      void loadTheme(api);
    } catch (e) {
      const err = toApiError(e);
      status.set({ ...status.get(), error: err.message, needLogin: err.code === 'unauthorized' && err.status === 401 });
    }
  };

  const checkLibrary = async () => {
    try {
      const p = await transport.cachedSummaries({ page: 1, perPage: 1 });
      if (hasSummaries.get() !== true) hasSummaries.set(p.total > 0 || p.summaries.length > 0);
    } catch {
      /* unknown: no welcome */
    }
  };

  const saveDefaults = async (c: Partial<Choices>) => {
    const patch: JSONObject = {};
    for (const k of Object.keys(DEFAULT_SETTING) as (keyof Choices)[]) if (c[k]) patch[DEFAULT_SETTING[k]] = c[k];
    if (!Object.keys(patch).length) return;
    await transport.saveSettings(patch);
    // Show the new defaults at once; the status reload below has the server's word.
    const api = status.get().api;
    if (api) {
      status.set({ ...status.get(), api: {
        ...api, ...(c.model ? { default_model: c.model } : {}),
        defaults: { ...api.defaults, ...(c.style ? { style: c.style } : {}), ...(c.length ? { length: c.length } : {}), ...(c.language ? { language: c.language } : {}) },
      } });
    }
    await loadStatus();
  };

  return {
    transport, prefs, toasts, jobs, library, player, status, announcer, hasSummaries, loadStatus, saveDefaults,
    async start() {
      // Ask first whether a passcode is needed, so no protected route answers 401 at load.
      if (transport.capabilities.login) {
        const ls = await transport.loginStatus().catch(() => null);
        if (ls?.login_enabled && !ls.authenticated) {
          status.set({ ...status.get(), needLogin: true });
          return;
        }
      }
      await Promise.all([loadStatus(), checkLibrary()]);
      if (status.get().needLogin) return;
      // The library loads when its screen opens (Library calls refresh()).
      await jobs.load();
    },
    dispose() {
      unFinished();
      unPrefs();
      unLibrary();
      jobs.dispose();
      library.dispose();
      player.dispose();
    },
  };
}
