import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { beforeEach, describe, expect, it } from 'vitest';
import { JobList } from '../src/components/JobList';
import { makeJob, makeVideo } from './helpers';
import { setup } from './render';

beforeEach(() => localStorage.clear());

/** Submits through the real jobs store and pushes one state of the job j1 to the page. */
async function withJob(r: ReturnType<typeof setup>, job: ReturnType<typeof makeJob>) {
  await r.s.start();
  await r.s.jobs.submit({ urls: job.metadata.urls, model: job.metadata.model });
  r.watchers.get('j1')!.onJob(job);
  return screen.findByRole('article', { name: job.metadata.urls.length > 1 ? `${job.metadata.urls.length} links` : job.metadata.urls[0] });
}

describe('job card', () => {
  it("Retry uses the job's own model, not the default and not 'local'", async () => {
    const r = setup(<JobList />);
    const card = await withJob(r, makeJob({
      status: 'completed', total_items: 2, progress: 2,
      metadata: { urls: ['https://www.youtube.com/watch?v=aaaaaaaaaaa', 'https://www.youtube.com/watch?v=bbbbbbbbbbb'], model: 'gemini-2.5-pro', style: 'chapters' },
      results: [
        makeVideo('aaaaaaaaaaa', { model_used: 'gemini-2.5-pro' }),
        makeVideo('bbbbbbbbbbb', { summary: null, error: 'Too many requests; try again in a minute.', error_kind: 'rate_limited' }),
      ],
    }));
    expect(within(card).getByText('completed')).toBeTruthy();
    expect(within(card).getByTitle('Model').textContent).toBe('Gemini 2.5 Pro');
    expect(within(card).getByText('Too many requests; try again in a minute.')).toBeTruthy();
    r.raw.summarize.mockClear();
    fireEvent.click(within(card).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(r.raw.summarize).toHaveBeenCalledTimes(1));
    expect(r.raw.summarize.mock.calls[0]![0]).toEqual({ urls: ['https://www.youtube.com/watch?v=bbbbbbbbbbb'], model: 'gemini-2.5-pro', style: 'chapters' });
  });

  it('no Retry for a video that no attempt can fix', async () => {
    const r = setup(<JobList />);
    const card = await withJob(r, makeJob({
      status: 'completed', total_items: 1, progress: 1, metadata: { urls: ['https://www.youtube.com/watch?v=ccccccccccc'], model: 'local' },
      results: [makeVideo('ccccccccccc', { summary: null, error: 'This video is private.', error_kind: 'video_private' })],
    }));
    expect(within(card).getByText('This video is private.')).toBeTruthy();
    expect(within(card).queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('a running job shows progress and cancels through the transport', async () => {
    const r = setup(<JobList />);
    r.raw.cancelJob.mockResolvedValue(null);
    const card = await withJob(r, makeJob({ status: 'running', total_items: 4, progress: 1 }));
    expect(within(card).getByText('1 of 4 done')).toBeTruthy();
    expect(within(card).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');
    fireEvent.click(within(card).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(r.raw.cancelJob).toHaveBeenCalledWith('j1'));
  });

  it('an item summarized from the video itself says so; one from captions does not', async () => {
    const r = setup(<JobList />);
    const card = await withJob(r, makeJob({
      status: 'completed', total_items: 3, progress: 3,
      metadata: { urls: ['a', 'b', 'c'], model: 'gemini-2.5-flash' },
      results: [makeVideo('v1', { title: 'From video', from_video: true }), makeVideo('v2', { title: 'From input', input: 'video' }), makeVideo('v3', { title: 'From captions' })],
    }));
    const note = 'Summarized from the video itself (no captions).';
    expect(within(within(card).getByRole('article', { name: 'From video' })).getByText(note)).toBeTruthy();
    expect(within(within(card).getByRole('article', { name: 'From input' })).getByText(note)).toBeTruthy();
    expect(within(within(card).getByRole('article', { name: 'From captions' })).queryByText(note)).toBeNull();
  });

  it('an item whose summary has a note shows it (the chosen local model was gone)', async () => {
    const r = setup(<JobList />);
    const note = 'Ollama · llama3.2:3b is not running any more; the default model wrote this summary.';
    const card = await withJob(r, makeJob({
      status: 'completed', total_items: 1, progress: 1, metadata: { urls: ['a'], model: 'ollama/llama3.2:3b' },
      results: [makeVideo('v1', { title: 'With note', note, model_used: 'local' })],
    }));
    expect(within(within(card).getByRole('article', { name: 'With note' })).getByText(note)).toBeTruthy();
  });

  it('Regenerate starts from the item\'s own model and sends the options chosen', async () => {
    const r = setup(<JobList />);
    const card = await withJob(r, makeJob({
      status: 'completed', total_items: 1, progress: 1, metadata: { urls: ['https://www.youtube.com/watch?v=ddddddddddd'], model: 'gemini-2.5-pro' },
      results: [makeVideo('ddddddddddd', { model_used: 'gemini-2.5-pro' })],
    }));
    fireEvent.click(within(card).getByRole('button', { name: 'Regenerate…' }));
    const group = within(card).getByRole('group', { name: 'Regenerate with other options' });
    expect((within(group).getByLabelText('Model') as HTMLSelectElement).value).toBe('gemini-2.5-pro');
    expect((within(group).getByLabelText('Style') as HTMLSelectElement).value).toBe('audio'); // the saved default
    fireEvent.change(within(group).getByLabelText('Length'), { target: { value: 'long' } });
    r.raw.summarize.mockClear();
    fireEvent.click(within(group).getByRole('button', { name: 'Regenerate' }));
    await waitFor(() => expect(r.raw.summarize).toHaveBeenCalledTimes(1));
    expect(r.raw.summarize.mock.calls[0]![0]).toEqual({
      urls: ['https://www.youtube.com/watch?v=ddddddddddd'], model: 'gemini-2.5-pro', style: 'audio', length: 'long', language: 'en', regenerate: true,
    });
  });

  it('a channel link shows as its channel with its videos, and a channel error as its sentence', async () => {
    const r = setup(<JobList />);
    const { type: _t, ...a } = makeVideo('aaaaaaaaaaa');
    const { type: _u, ...b } = makeVideo('bbbbbbbbbbb');
    const card = await withJob(r, makeJob({
      status: 'completed', total_items: 2, progress: 2,
      metadata: { urls: ['https://www.youtube.com/@curiousthings'], model: 'local', limit: 2 },
      results: [
        { type: 'channel', channel_id: 'UCe2echannel000000000001', title: 'Curious Things', summaries: [a, b], error: null },
        { type: 'channel', channel_id: 'UCe2echannel000000000002', title: '', summaries: [], error: 'This channel has only Shorts, which have no transcripts to summarize.', error_kind: 'channel_shorts_only' },
      ],
    }));
    const ch = within(card).getByRole('region', { name: 'Channel: Curious Things' });
    expect(within(ch).getByRole('heading', { level: 4 }).textContent).toBe('Channel: Curious Things');
    expect(within(ch).getByText('Summary of aaaaaaaaaaa')).toBeTruthy();
    expect(within(ch).getByText('Summary of bbbbbbbbbbb')).toBeTruthy();
    const bad = within(card).getByRole('region', { name: 'Channel: UCe2echannel000000000002' });
    expect(bad.textContent).toContain('This channel has only Shorts, which have no transcripts to summarize.');
  });
});
