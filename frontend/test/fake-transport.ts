import { vi, type Mock } from 'vitest';
import type { JobWatcher, Transport } from '../src/lib/api/transport';

/** A Transport whose methods are vi.fn stubs; watchJob records watchers for tests to drive. */
export function fakeTransport(over: Partial<Record<keyof Transport, unknown>> = {}) {
  const watchers = new Map<string, JobWatcher>();
  const stopped: string[] = [];
  const t = {
    capabilities: { nativeDialogs: false, connectionChoice: true, login: true },
    summarize: vi.fn(async () => ({ mode: 'async', job_id: 'j1' })),
    getJob: vi.fn(),
    listJobs: vi.fn(async () => []),
    cancelJob: vi.fn(),
    watchJob: vi.fn((id: string, w: JobWatcher) => {
      watchers.set(id, w);
      return () => {
        stopped.push(id);
        watchers.delete(id);
      };
    }),
    apiStatus: vi.fn(),
    cachedSummaries: vi.fn(async () => ({ summaries: [], total: 0, page: 1, per_page: 10, total_pages: 1 })),
    searchSummaries: vi.fn(async () => []),
    libraryStatus: vi.fn(async () => ({ indexing_pending: 0, indexing_seconds: 0 })),
    deleteSummary: vi.fn(async () => undefined),
    thumbnailURL: (id: string) => `/thumbnails/${id}`,
    speak: vi.fn(async () => ({ blob: new Blob(['mp3']) })),
    previewVoice: vi.fn(),
    voices: vi.fn(),
    cacheStatus: vi.fn(), cacheCleanup: vi.fn(), getSettings: vi.fn(), saveSettings: vi.fn(),
    revealAPIToken: vi.fn(), rotateAPIToken: vi.fn(), performanceMetrics: vi.fn(), systemHealth: vi.fn(),
    backups: vi.fn(), createBackup: vi.fn(), diagnose: vi.fn(), exportSummary: vi.fn(), exportLibrary: vi.fn(), importOriginal: vi.fn(),
    saveFile: vi.fn(async () => undefined), openExternal: vi.fn(), copyText: vi.fn(async () => undefined),
    ask: vi.fn(async () => ({ job_id: 'a1', conversation_id: 'c1', stream_url: '/jobs/a1/stream', status_url: '/jobs/a1' })),
    conversations: vi.fn(async () => []), deleteConversation: vi.fn(async () => undefined),
    listSubscriptions: vi.fn(async () => []), follow: vi.fn(), updateSubscription: vi.fn(), unfollow: vi.fn(async () => undefined),
    checkSubscription: vi.fn(), markOpened: vi.fn(async () => undefined),
    loginStatus: vi.fn(), login: vi.fn(), logout: vi.fn(), setConnectionMethod: vi.fn(), setProcessingMode: vi.fn(),
    ...over,
  };
  return { t: t as unknown as Transport, raw: t as unknown as { [K in keyof Transport]-?: Mock }, watchers, stopped };
}
