import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { beforeEach, describe, expect, it } from 'vitest';
import { AskBox } from '../src/components/AskBox';
import { VideoCard } from '../src/components/VideoCard';
import { ApiError } from '../src/lib/api/errors';
import type { Answer, Conversation } from '../src/lib/api/types';
import { makeJob, makeVideo } from './helpers';
import { setup } from './render';

beforeEach(() => localStorage.clear());

const VID = 'vid00000001';

function answer(p: Partial<Answer> = {}): Answer {
  return {
    type: 'answer', video_id: VID, question: 'How heavy is it?', answer: 'It weighs 1.2 kg [00:05] and the bit set is at [1:02:03].',
    citations: [
      { video_id: VID, start_seconds: 5, quote: 'It weighs one point two kilos.', mark: '[00:05]' },
      { video_id: VID, start_seconds: 3723, quote: 'I recommend the Bosch bit set.', mark: '[1:02:03]' },
    ],
    model_used: 'gemini-2.5-flash', error: null, conversation_id: 'c1', ...p,
  };
}

function askJob(status: 'running' | 'completed' | 'cancelled', a?: Answer) {
  return makeJob({ id: 'a1', type: 'ask', status, total_items: 1, progress: a ? 1 : 0,
    metadata: { urls: [], model: 'gemini-2.5-flash', ask: { video_id: VID, question: 'How heavy is it?', conversation_id: 'c1' } },
    results: (a ? [a] : []) as never });
}

async function ask(r: ReturnType<typeof setup>, q: string) {
  const box = screen.getByLabelText('Question');
  fireEvent.input(box, { target: { value: q } });
  fireEvent.keyDown(box, { key: 'Enter' });
  await waitFor(() => expect(r.raw.ask).toHaveBeenCalled());
}

describe('Ask box', () => {
  it('streams the answer in, then links every [mm:ss] to the video at that second', async () => {
    const r = setup(<AskBox videoId={VID} title="Falcon drill review" />);
    await ask(r, 'How heavy is it?');
    expect(r.raw.ask.mock.calls[0]![0]).toEqual({ question: 'How heavy is it?', video_id: VID });
    await waitFor(() => expect(r.watchers.get('a1')).toBeTruthy());
    const w = r.watchers.get('a1')!;
    w.onDelta!({ job_id: 'a1', video_id: VID, delta: 'It weighs ' });
    await screen.findByText(/It weighs/);
    w.onDelta!({ job_id: 'a1', video_id: VID, delta: '1.2 kg [00:05]' });
    // While streaming, a mark already links to the video.
    const early = await screen.findByRole('link', { name: 'open the video at 00:05' });
    expect(early.getAttribute('href')).toBe(`https://www.youtube.com/watch?v=${VID}&t=5s`);
    w.onJob(askJob('completed', answer()));
    const late = await screen.findByRole('link', { name: 'open the video at 1:02:03' });
    expect(late.getAttribute('href')).toBe(`https://www.youtube.com/watch?v=${VID}&t=3723s`);
    expect(late.getAttribute('target')).toBe('_blank');
    expect(late.hasAttribute('data-external')).toBe(true); // the window opens it with BrowserOpenURL
    expect(late.getAttribute('title')).toContain('Bosch');
    // The conversation continues: the next question carries its id.
    await ask(r, 'And the chuck?');
    await waitFor(() => expect(r.raw.ask).toHaveBeenCalledTimes(2));
    expect(r.raw.ask.mock.calls[1]![0]).toEqual({ question: 'And the chuck?', video_id: VID, conversation_id: 'c1' });
  });

  it('Cancel stops the answer at once, from the keyboard too', async () => {
    const r = setup(<AskBox videoId={VID} />);
    r.raw.cancelJob.mockResolvedValue(null);
    await ask(r, 'Slow?');
    await waitFor(() => expect(r.watchers.get('a1')).toBeTruthy());
    r.watchers.get('a1')!.onDelta!({ job_id: 'a1', video_id: VID, delta: 'Partial' });
    await screen.findByText('Partial');
    fireEvent.keyDown(screen.getByLabelText('Question'), { key: 'Escape' });
    expect(await screen.findByText('Cancelled.')).toBeTruthy();
    expect(r.raw.cancelJob).toHaveBeenCalledWith('a1');
    expect(r.stopped).toContain('a1');
    expect(screen.queryByText('Partial')).toBeNull();
    expect(screen.getByRole('button', { name: 'Ask' })).toBeTruthy();
  });

  it('shows the sentence of bad input, and offers to fetch a missing transcript', async () => {
    const r = setup(<AskBox videoId={VID} videoURL={`https://www.youtube.com/watch?v=${VID}`} />);
    r.raw.ask.mockRejectedValueOnce(new ApiError('Type a question first.', { code: 'invalid', status: 400 }));
    await ask(r, '');
    expect((await screen.findByRole('alert')).textContent).toContain('Type a question first.');
    r.raw.ask.mockRejectedValueOnce(new ApiError('This video has no saved transcript, so there is nothing to answer from; fetch its transcript (summarize it again), then ask.', { code: 'not_found', status: 404 }));
    await ask(r, 'Q?');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('no saved transcript'));
    fireEvent.click(screen.getByRole('button', { name: 'Summarize it to fetch the transcript' }));
    await waitFor(() => expect(r.raw.summarize).toHaveBeenCalled());
    expect(r.raw.summarize.mock.calls[0]![0]).toMatchObject({ urls: [`https://www.youtube.com/watch?v=${VID}`] });
    r.raw.ask.mockRejectedValueOnce(new ApiError('No OpenAI API key is set; add one in Settings, set an OpenAI-compatible server URL, or choose another model.', { code: 'invalid', status: 400 }));
    await ask(r, 'Q?');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('No OpenAI API key'));
    expect(screen.getByRole('link', { name: 'Open Settings' }).getAttribute('href')).toBe('#/settings');
  });

  it("an answer's failure is its sentence", async () => {
    const r = setup(<AskBox videoId={VID} />);
    await ask(r, 'Q?');
    await waitFor(() => expect(r.watchers.get('a1')).toBeTruthy());
    r.watchers.get('a1')!.onJob(askJob('completed', answer({ answer: '', citations: [], error: 'Gemini is overloaded; try again in a minute.', error_kind: 'overloaded' })));
    expect((await screen.findByRole('alert')).textContent).toContain('Gemini is overloaded');
  });

  it('a library answer says which videos it used and links each label to its own video', async () => {
    const r = setup(<AskBox />);
    await ask(r, 'Which videos explain burrows?');
    expect(r.raw.ask.mock.calls[0]![0]).toEqual({ question: 'Which videos explain burrows?', scope: 'library' });
    await waitFor(() => expect(r.watchers.get('a1')).toBeTruthy());
    r.watchers.get('a1')!.onJob(askJob('completed', answer({
      video_id: null, answer: 'Aardvarks **dig** [V1 00:10]; zeppelins fly [V2 01:00].',
      citations: [{ video_id: 'aaaaaaaaaaa', start_seconds: 10, quote: 'dig', mark: '[V1 00:10]' }, { video_id: 'bbbbbbbbbbb', start_seconds: 60, quote: 'fly', mark: '[V2 01:00]' }],
      videos: [{ video_id: 'aaaaaaaaaaa', title: 'Aardvarks', label: 'V1' }, { video_id: 'bbbbbbbbbbb', title: 'Zeppelins', label: 'V2' }],
    })));
    const z = await screen.findByRole('link', { name: 'Zeppelins, open the video at 01:00' });
    expect(z.getAttribute('href')).toBe('https://www.youtube.com/watch?v=bbbbbbbbbbb&t=60s');
    expect(screen.getByText('Videos used:')).toBeTruthy();
    expect(screen.getByText('dig', { selector: 'strong' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Aardvarks' }).getAttribute('href')).toBe('https://www.youtube.com/watch?v=aaaaaaaaaaa');
  });

  it('lists the earlier conversations of the video and deletes one', async () => {
    const conv: Conversation = {
      id: 'c9', video_id: VID, created_at: '2026-11-28T10:00:00Z', updated_at: '2026-11-28T10:00:00Z',
      turns: [{ question: 'Who made it?', answer: 'Falcon [00:01].', citations: [{ video_id: VID, start_seconds: 1, quote: 'Falcon', mark: '[00:01]' }], model_used: 'local', asked_at: '2026-11-28T10:00:00Z' }],
    };
    const r = setup(<VideoCard item={makeVideo(VID)} />);
    r.raw.conversations.mockResolvedValue([conv]);
    fireEvent.click(screen.getByRole('button', { name: 'Ask…' }));
    expect(r.raw.conversations).toHaveBeenCalledWith(VID);
    const list = await screen.findByText(/Earlier questions about this video \(1\)/);
    const details = list.closest('details')!;
    expect(within(details).getByText('Who made it?')).toBeTruthy();
    expect(within(details).getByRole('link', { name: 'open the video at 00:01' }).getAttribute('href')).toBe(`https://www.youtube.com/watch?v=${VID}&t=1s`);
    fireEvent.click(within(details).getByRole('button', { name: /Delete the conversation/ }));
    await waitFor(() => expect(r.raw.deleteConversation).toHaveBeenCalledWith('c9'));
    await waitFor(() => expect(screen.queryByText(/Earlier questions/)).toBeNull());
  });
});
