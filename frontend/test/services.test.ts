import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/lib/api/errors';
import { createPrefs, loadPrefs } from '../src/stores/prefs';
import { createServices } from '../src/stores/services';
import { createToasts } from '../src/stores/toasts';
import { makeJob, makeVideo } from './helpers';
import { fakeTransport } from './fake-transport';

beforeEach(() => localStorage.clear());

describe('services.start', () => {
  it('asks for the passcode before touching protected routes', async () => {
    const { t, raw } = fakeTransport({ loginStatus: vi.fn(async () => ({ login_enabled: true, authenticated: false })) });
    const s = createServices(t, createPrefs(loadPrefs()));
    await s.start();
    expect(s.status.get().needLogin).toBe(true);
    expect(raw.apiStatus).not.toHaveBeenCalled();
    expect(raw.listJobs).not.toHaveBeenCalled();
  });

  it('loads status and jobs; a failing status is state, not a throw', async () => {
    const { t, raw } = fakeTransport({
      loginStatus: vi.fn(async () => ({ login_enabled: false, authenticated: true })),
      apiStatus: vi.fn(async () => Promise.reject(new ApiError('Cannot reach the summarizer service. Is it running?', { code: 'unavailable' }))),
    });
    const s = createServices(t, createPrefs(loadPrefs()));
    await s.start();
    expect(s.status.get().error).toBe('Cannot reach the summarizer service. Is it running?');
    expect(raw.listJobs).toHaveBeenCalled();
  });

  it('applies and follows the remembered connection choices', () => {
    const { t, raw } = fakeTransport();
    const prefs = createPrefs(loadPrefs());
    createServices(t, prefs);
    expect(raw.setConnectionMethod).toHaveBeenCalledWith('auto');
    expect(raw.setProcessingMode).toHaveBeenCalledWith('async');
    prefs.update({ connection: 'periodic' });
    expect(raw.setConnectionMethod).toHaveBeenLastCalledWith('periodic');
  });
});

describe('finished jobs', () => {
  it('toast the outcome only when summaries were made', async () => {
    const { t, watchers } = fakeTransport({ summarize: vi.fn(async () => ({ mode: 'async', job_id: 'j1' })) });
    const s = createServices(t, createPrefs(loadPrefs()));
    await s.jobs.submit({ urls: ['u'] });
    watchers.get('j1')!.onJob(makeJob({ status: 'completed', results: [makeVideo('v1', { summary: null, error: 'This video is private.' })] }));
    expect(s.toasts.get()).toEqual([]);
    (t.summarize as ReturnType<typeof vi.fn>).mockResolvedValueOnce({ mode: 'async', job_id: 'j2' });
    await s.jobs.submit({ urls: ['u2'] });
    watchers.get('j2')!.onJob(makeJob({ id: 'j2', status: 'completed', results: [makeVideo('v1'), makeVideo('v2', { summary: null, error: 'x' })] }));
    expect(s.toasts.get().map((x) => [x.kind, x.message])).toEqual([['info', 'Finished: 1 summary, 1 failed. The summaries are in your library.']]);
  });
});

describe('toasts', () => {
  it('the same message replaces the copy on screen', () => {
    const toasts = createToasts();
    toasts.show('Saved.', { kind: 'success' });
    toasts.show('Other.');
    toasts.show('Saved.', { kind: 'success' });
    expect(toasts.get().map((x) => x.message)).toEqual(['Other.', 'Saved.']);
    const undo = { label: 'Undo', run: () => {} };
    toasts.show('Deleted “a”.', { action: undo });
    toasts.show('Deleted “a”.', { action: undo });
    expect(toasts.get().filter((x) => x.message === 'Deleted “a”.')).toHaveLength(2); // each has its own undo
  });
});
