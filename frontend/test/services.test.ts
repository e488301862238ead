import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/lib/api/errors';
import { createPrefs, loadPrefs } from '../src/stores/prefs';
import { createServices } from '../src/stores/services';
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
