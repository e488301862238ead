import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SummarizeForm } from '../src/components/SummarizeForm';
import type { ApiStatus } from '../src/lib/api/types';
import { apiStatus, keylessStatus, setup } from './render';

beforeEach(() => localStorage.clear());

const LINK = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';

function paste(text = LINK) {
  fireEvent.input(screen.getByLabelText('Links'), { target: { value: text } });
}
function submit() {
  fireEvent.click(screen.getByRole('button', { name: 'Summarize' }));
}
const select = (label: string) => screen.getByLabelText(label) as HTMLSelectElement;
const selectedText = (label: string) => select(label).selectedOptions[0]?.textContent;

describe('Summarize form', () => {
  it('while the status loads it says loading, never "no model", and the offline model can be chosen', async () => {
    const { s, raw } = setup(<SummarizeForm />, { apiStatus: vi.fn(() => new Promise<ApiStatus>(() => {})) });
    void s.start();
    expect(await screen.findByText(/Loading your models and defaults/)).toBeTruthy();
    expect(screen.queryByText(/No AI model available/)).toBeNull();
    const local = [...select('Model').options].find((o) => o.value === 'local')!;
    expect(local.textContent).toBe('Local (offline extract)');
    expect(local.disabled).toBe(false);
    expect(selectedText('Model')).toBe('Your default (loading…)');
    // Usable at first paint: the request names no model, so the service applies the user's default.
    paste();
    submit();
    await waitFor(() => expect(raw.summarize).toHaveBeenCalledTimes(1));
    expect(raw.summarize.mock.calls[0]![0]).toEqual({ urls: [LINK] });
  });

  it("with a Gemini key the form starts from default_model and sends it, never 'local'", async () => {
    const { s, raw } = setup(<SummarizeForm />);
    await s.start();
    await waitFor(() => expect(select('Model').value).toBe('gemini-2.5-flash'));
    expect(selectedText('Model')).toBe('Gemini 2.5 Flash');
    expect(screen.queryByText(/Loading your models/)).toBeNull();
    paste();
    submit();
    await waitFor(() => expect(raw.summarize).toHaveBeenCalledTimes(1));
    expect(raw.summarize.mock.calls[0]![0]).toEqual({ urls: [LINK], model: 'gemini-2.5-flash', style: 'audio', length: 'medium', language: 'en' });
  });

  it('carries the saved defaults (style detailed, length long, language de)', async () => {
    const { s, raw } = setup(<SummarizeForm />, {
      apiStatus: vi.fn(async () => apiStatus({ defaults: { style: 'detailed', length: 'long', language: 'de' } })),
    });
    await s.start();
    await waitFor(() => expect(selectedText('Style')).toBe('Detailed'));
    expect(selectedText('Length')).toBe('Long');
    expect(selectedText('Language')).toBe('German');
    paste();
    submit();
    await waitFor(() => expect(raw.summarize).toHaveBeenCalledTimes(1));
    expect(raw.summarize.mock.calls[0]![0]).toMatchObject({ style: 'detailed', length: 'long', language: 'de' });
  });

  it('a model remembered in this browser by an older version is not used', async () => {
    localStorage.setItem('ytsum.model', '"local"');
    localStorage.setItem('ytsum.style', '"chapters"');
    const { s, raw } = setup(<SummarizeForm />);
    await s.start();
    await waitFor(() => expect(select('Model').value).toBe('gemini-2.5-flash'));
    paste();
    submit();
    await waitFor(() => expect(raw.summarize).toHaveBeenCalledTimes(1));
    expect(raw.summarize.mock.calls[0]![0]).toMatchObject({ model: 'gemini-2.5-flash', style: 'audio' });
  });

  it('without keys the default is the offline model, and it is named', async () => {
    const { s, raw } = setup(<SummarizeForm />, { apiStatus: vi.fn(async () => keylessStatus()) });
    await s.start();
    await waitFor(() => expect(select('Model').value).toBe('local'));
    const gpt = [...select('Model').options].find((o) => o.value === 'gpt-5-mini')!;
    expect(gpt.disabled).toBe(true);
    expect(gpt.textContent).toBe('GPT-5 mini (no key)');
    paste();
    submit();
    await waitFor(() => expect(raw.summarize).toHaveBeenCalledTimes(1));
    expect(raw.summarize.mock.calls[0]![0]).toMatchObject({ model: 'local' });
  });

  it('a choice in the form applies to that job only', async () => {
    const { s, raw } = setup(<SummarizeForm />);
    await s.start();
    await waitFor(() => expect(select('Model').value).toBe('gemini-2.5-flash'));
    fireEvent.change(select('Model'), { target: { value: 'gemini-2.5-pro' } });
    fireEvent.change(select('Style'), { target: { value: 'chapters' } });
    expect(screen.getByText('These choices apply to this job only.')).toBeTruthy();
    paste();
    submit();
    await waitFor(() => expect(raw.summarize).toHaveBeenCalledTimes(1));
    expect(raw.summarize.mock.calls[0]![0]).toMatchObject({ model: 'gemini-2.5-pro', style: 'chapters' });
    await waitFor(() => expect(select('Model').value).toBe('gemini-2.5-flash'));
    expect(select('Style').value).toBe('audio');
    expect(raw.saveSettings).not.toHaveBeenCalled();
  });

  it('"Use as default" saves the changed choices on the server and the form follows the new defaults', async () => {
    let status = apiStatus();
    const { s, raw } = setup(<SummarizeForm />, { apiStatus: vi.fn(async () => status) });
    await s.start();
    await waitFor(() => expect(select('Model').value).toBe('gemini-2.5-flash'));
    expect(screen.queryByRole('button', { name: 'Use as default' })).toBeNull();
    fireEvent.change(select('Model'), { target: { value: 'gemini-2.5-pro' } });
    fireEvent.change(select('Length'), { target: { value: 'short' } });
    raw.saveSettings.mockImplementation(async () => {
      status = apiStatus({ default_model: 'gemini-2.5-pro', defaults: { style: 'audio', length: 'short', language: 'en' } });
      return {};
    });
    const calls = raw.apiStatus.mock.calls.length;
    fireEvent.click(screen.getByRole('button', { name: 'Use as default' }));
    await screen.findByText(/Saved as your default/);
    expect(raw.saveSettings).toHaveBeenCalledWith({ default_model: 'gemini-2.5-pro', default_length: 'short' });
    expect(raw.apiStatus.mock.calls.length).toBe(calls + 1);
    expect(select('Model').value).toBe('gemini-2.5-pro');
    expect(screen.queryByRole('button', { name: 'Use as default' })).toBeNull();
    paste();
    submit();
    await waitFor(() => expect(raw.summarize).toHaveBeenCalledTimes(1));
    expect(raw.summarize.mock.calls[0]![0]).toMatchObject({ model: 'gemini-2.5-pro', length: 'short' });
  });

  it('a refused "Use as default" shows the service\'s sentence and keeps the choice', async () => {
    const { s, raw } = setup(<SummarizeForm />);
    await s.start();
    await waitFor(() => expect(select('Model').value).toBe('gemini-2.5-flash'));
    raw.saveSettings.mockRejectedValue(new Error('The settings file cannot be written.'));
    fireEvent.change(select('Style'), { target: { value: 'chapters' } });
    fireEvent.click(screen.getByRole('button', { name: 'Use as default' }));
    await screen.findByText('The settings file cannot be written.');
    expect(select('Style').value).toBe('chapters');
  });

  it('a status that cannot be loaded still leaves the offline model and says why', async () => {
    const { s } = setup(<SummarizeForm />, { apiStatus: vi.fn(async () => Promise.reject(new Error('Cannot reach the summarizer service.'))) });
    await s.start();
    await screen.findByText(/Service status unknown/);
    expect(screen.queryByText(/Loading your models/)).toBeNull();
    expect([...select('Model').options].some((o) => o.value === 'local' && !o.disabled)).toBe(true);
  });
});
