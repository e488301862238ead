import { toApiError } from '../lib/api/errors';
import type { Transport } from '../lib/api/transport';
import type { ApiStatus } from '../lib/api/types';
import { createStore, type Store } from '../lib/store';
import { completionMessage, createJobs, flatItems, type JobsStore } from './jobs';
import { createLibrary, type LibraryStore } from './library';
import { createPlayer, type PlayerStore } from './player';
import { createPrefs, type PrefsStore } from './prefs';
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
  loadStatus(): Promise<void>;
  start(): Promise<void>;
  dispose(): void;
}

export function createServices(transport: Transport, prefs: PrefsStore = createPrefs()): Services {
  transport.setConnectionMethod(prefs.get().connection);
  transport.setProcessingMode(prefs.get().processing);
  const announcer = createStore('');
  const toasts = createToasts();
  const jobs = createJobs(transport, { announce: (m) => announcer.set(m) });
  const library = createLibrary(transport, prefs);
  const player = createPlayer(transport, prefs);
  const status = createStore<StatusState>({ api: null, error: null, needLogin: false });

  const unFinished = jobs.onFinished((j) => {
    void library.refresh();
    if (j.status !== 'completed') return;
    // Only a job that made summaries sends the user to the library; the card says the rest.
    const items = flatItems(j.results);
    const made = items.some((i) => 'summary' in i && i.summary);
    if (made) toasts.show(completionMessage(j) + ' The summaries are in your library.', { kind: items.some((i) => i.error) ? 'info' : 'success' });
  });
  const unPrefs = prefs.subscribe((p) => {
    transport.setConnectionMethod(p.connection);
    transport.setProcessingMode(p.processing);
  });

  const loadStatus = async () => {
    try {
      const api = await transport.apiStatus();
      status.set({ ...status.get(), api, error: null });
    } catch (e) {
      const err = toApiError(e);
      status.set({ ...status.get(), error: err.message, needLogin: err.code === 'unauthorized' && err.status === 401 });
    }
  };

  return {
    transport, prefs, toasts, jobs, library, player, status, announcer, loadStatus,
    async start() {
      // Ask first whether a passcode is needed, so no protected route answers 401 at load.
      if (transport.capabilities.login) {
        const ls = await transport.loginStatus().catch(() => null);
        if (ls?.login_enabled && !ls.authenticated) {
          status.set({ ...status.get(), needLogin: true });
          return;
        }
      }
      await loadStatus();
      if (status.get().needLogin) return;
      // The library loads when its screen opens (Library calls refresh()).
      await jobs.load();
    },
    dispose() {
      unFinished();
      unPrefs();
      jobs.dispose();
      library.dispose();
      player.dispose();
    },
  };
}
