import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, toApiError } from '../lib/api/errors';
import type { Answer, AnswerSource, Citation, Conversation, Job } from '../lib/api/types';
import { isTerminal } from '../lib/api/types';
import { shortDate } from '../lib/format';
import { pickerModels } from '../lib/models';
import { useStore } from '../lib/store';
import { useServices } from './context';

/** The length from which the service refuses a question (ask.MaxQuestionRunes). */
export const MAX_QUESTION = 4000;

/** The link that opens a video at a second (the video's own time). */
export function citationURL(videoId: string, seconds: number): string {
  return `https://www.youtube.com/watch?v=${encodeURIComponent(videoId)}&t=${Math.max(0, Math.floor(seconds))}s`;
}

// "[12:34]", "[1:02:03]" or, in a library answer, "[V2 12:34]".
const MARK = /\[(?:(V\d+) )?(?:(\d+):)?(\d{1,2}):(\d{2})\]/g;

function seconds(h: string | undefined, m: string, s: string): number {
  return (h ? Number(h) * 3600 : 0) + Number(m) * 60 + Number(s);
}

/** Plain answer text, with Markdown **bold** (the extract's video titles) as bold. */
function plain(t: string, key: number): ComponentChildren[] {
  return t.split(/\*\*([^*\n]+)\*\*/).map((part, i) => (i % 2 ? <strong key={`${key}-${i}`}>{part}</strong> : part));
}

/**
 * AnswerText renders an answer with every citation mark as a link opening the video at that
 * second in the external browser (data-external: the window's BrowserOpenURL, a new tab in a
 * browser). The checked citations decide the video and time; while the text still streams,
 * marks of a one-video answer link to that video.
 */
export function AnswerText({ text, citations, videoId, sources }: {
  text: string; citations?: Citation[]; videoId?: string | null; sources?: AnswerSource[];
}) {
  const byMark = new Map<string, Citation>();
  for (const c of citations ?? []) if (c.mark && !byMark.has(c.mark)) byMark.set(c.mark, c);
  const byLabel = new Map((sources ?? []).filter((v) => v.label).map((v) => [v.label as string, v]));
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const m of text.matchAll(MARK)) {
    const [mark, label, h, mm, ss] = m;
    const at = m.index ?? 0;
    const c = byMark.get(mark);
    const vid = c?.video_id ?? (label ? byLabel.get(label)?.video_id : videoId ?? undefined);
    if (!vid) continue;
    const t = c?.start_seconds ?? seconds(h, mm as string, ss as string);
    const title = label ? byLabel.get(label)?.title : undefined;
    out.push(...plain(text.slice(last, at), last));
    out.push(
      <a key={at} class="cite" href={citationURL(vid, t)} target="_blank" rel="noopener noreferrer" data-external=""
        title={c?.quote ? `“${c.quote}”` : undefined}
        aria-label={`${title ? `${title}, ` : ''}open the video at ${mark.slice(1, -1).replace(/^V\d+ /, '')}`}>
        {mark}
      </a>,
    );
    last = at + mark.length;
  }
  out.push(...plain(text.slice(last), last));
  return <p class="answer-text">{out}</p>;
}

/** The videos a library answer drew on, by label. */
function Sources({ videos }: { videos: AnswerSource[] }) {
  if (!videos.length) return null;
  return (
    <div class="answer-sources">
      <span class="muted">Videos used:</span>
      <ul>
        {videos.map((v) => (
          <li key={v.video_id}>
            {v.label && <span class="badge">{v.label}</span>}{' '}
            <a href={`https://www.youtube.com/watch?v=${encodeURIComponent(v.video_id)}`} target="_blank" rel="noopener noreferrer" data-external="">
              {v.title || v.video_id}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

type Phase = 'idle' | 'asking' | 'streaming' | 'done' | 'cancelled';

export interface AskBoxProps {
  /** The video asked about; absent: the whole library. */
  videoId?: string;
  /** The video's link (to offer summarizing it when it has no transcript). */
  videoURL?: string;
  title?: string;
}

/**
 * AskBox asks questions about one video (or the library) and streams the answer in, with
 * clickable [mm:ss] citations, Cancel, follow-ups in the same conversation, and the
 * conversations kept so far (deletable).
 */
export function AskBox({ videoId, videoURL, title }: AskBoxProps) {
  const s = useServices();
  const st = useStore(s.status);
  const library = !videoId;
  const id = library ? 'ask-library' : `ask-${videoId}`;
  const [question, setQuestion] = useState('');
  const [model, setModel] = useState('');
  const [phase, setPhase] = useState<Phase>('idle');
  const [streamed, setStreamed] = useState('');
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [conversationId, setConversationId] = useState<string | undefined>(undefined);
  const [convs, setConvs] = useState<Conversation[]>([]);
  const job = useRef<{ id: string; stop: () => void } | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  const loadConversations = async () => {
    try {
      setConvs(await s.transport.conversations(videoId));
    } catch {
      /* the list is a convenience; asking still works */
    }
  };
  useEffect(() => {
    void loadConversations();
    return () => job.current?.stop();
  }, [videoId]);

  const finish = (j: Job) => {
    // An ask job's one result item is the answer itself (type "answer").
    const a = ((j.results ?? []) as unknown as Answer[]).find((r) => r.type === 'answer') ?? null;
    job.current?.stop();
    job.current = null;
    if (j.status === 'cancelled') {
      setPhase('cancelled');
      return;
    }
    setPhase('done');
    if (a && a.error) {
      setError(new ApiError(a.error, { code: a.error_kind ?? 'internal' }));
      return;
    }
    setAnswer(a);
    if (a?.conversation_id) setConversationId(a.conversation_id);
    void loadConversations();
  };

  const ask = async (e?: Event) => {
    e?.preventDefault();
    if (phase === 'asking' || phase === 'streaming') return;
    setError(null);
    setAnswer(null);
    setStreamed('');
    setPhase('asking');
    try {
      const acc = await s.transport.ask({
        question, ...(library ? { scope: 'library' } : { video_id: videoId }),
        ...(model ? { model } : {}), ...(conversationId ? { conversation_id: conversationId } : {}),
      });
      setConversationId(acc.conversation_id);
      setPhase('streaming');
      const stop = s.transport.watchJob(acc.job_id, {
        onDelta: (d) => {
          if (job.current?.id === acc.job_id) setStreamed((t) => t + d.delta);
        },
        onJob: (j) => {
          if (job.current?.id === acc.job_id && isTerminal(j.status)) finish(j);
        },
        onGone: () => {
          if (job.current?.id !== acc.job_id) return;
          job.current = null;
          setPhase('done');
          setError(new ApiError('The answer was lost; ask again.'));
        },
      });
      job.current = { id: acc.job_id, stop };
    } catch (err) {
      setPhase('idle');
      setError(toApiError(err));
    }
  };

  const cancel = () => {
    const j = job.current;
    if (!j) return;
    j.stop();
    job.current = null;
    setPhase('cancelled');
    void s.transport.cancelJob(j.id).catch(() => {});
    input.current?.focus();
  };

  const summarize = async () => {
    if (!videoURL) return;
    try {
      await s.jobs.submit({ urls: [videoURL] });
      s.toasts.show('Fetching the transcript and summarizing — ask again when it is done.', { kind: 'info' });
      setError(null);
    } catch (err) {
      setError(toApiError(err));
    }
  };

  const remove = async (c: Conversation) => {
    try {
      await s.transport.deleteConversation(c.id);
      if (c.id === conversationId) setConversationId(undefined);
      setConvs((cs) => cs.filter((x) => x.id !== c.id));
    } catch (err) {
      s.toasts.show(toApiError(err).message, { kind: 'error' });
    }
  };

  const busy = phase === 'asking' || phase === 'streaming';
  const models = pickerModels(st.api).filter((m) => m.available);
  const noTranscript = !library && error?.code === 'not_found' && Boolean(videoURL);
  const noKey = error !== null && /API key/i.test(error.message);

  return (
    <section class="ask" aria-labelledby={`${id}-h`}>
      <h4 id={`${id}-h`} class="ask-title">{library ? 'Ask your library' : `Ask about ${title ? `“${title}”` : 'this video'}`}</h4>
      <form class="ask-form" onSubmit={(e) => void ask(e)}>
        <label for={`${id}-q`} class="sr-only">Question</label>
        <textarea id={`${id}-q`} ref={input} rows={2} value={question}
          placeholder={library ? 'Which videos explained…?' : 'What did they say about…?'}
          aria-describedby={`${id}-hint`}
          onInput={(e) => setQuestion(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              void ask();
            } else if (e.key === 'Escape' && busy) {
              e.preventDefault();
              cancel();
            }
          }} />
        <span id={`${id}-hint`} class="muted small">
          Enter asks, Shift+Enter adds a line{busy ? ', Escape cancels' : ''}.
          {question.length >= MAX_QUESTION - 200 ? ` ${question.length}/${MAX_QUESTION - 1} characters.` : ''}
        </span>
        <div class="row">
          <label for={`${id}-m`} class="sr-only">Model</label>
          <select id={`${id}-m`} class="select-small" value={model} onChange={(e) => setModel(e.currentTarget.value)}>
            <option value="">Default model</option>
            {models.map((m) => <option key={m.key} value={m.key}>{m.display_name || m.key}</option>)}
          </select>
          {busy
            ? <button type="button" class="btn btn-small" onClick={cancel}>Cancel</button>
            : <button type="submit" class="btn btn-small btn-primary">Ask</button>}
          {conversationId && !busy && (
            <button type="button" class="btn btn-small btn-quiet" onClick={() => { setConversationId(undefined); setAnswer(null); setStreamed(''); }}>
              New conversation
            </button>
          )}
        </div>
      </form>
      <div class="ask-answer" aria-live="polite" aria-busy={busy}>
        {phase === 'asking' && <p class="muted">Asking…</p>}
        {phase === 'streaming' && (streamed ? <AnswerText text={streamed} videoId={videoId ?? null} /> : <p class="muted">Reading the transcript…</p>)}
        {phase === 'cancelled' && <p class="muted">Cancelled.</p>}
        {answer && (
          <div class="answer">
            {answer.extract && <p class="note">An extract of the transcript (offline model): the passages that best match the question.</p>}
            <AnswerText text={answer.answer} citations={answer.citations} videoId={answer.video_id}
              {...(answer.videos ? { sources: answer.videos } : {})} />
            {library && <Sources videos={answer.videos ?? []} />}
            <p class="muted small">{answer.model_used}</p>
          </div>
        )}
        {error && (
          <p class="error" role="alert">
            {error.message}{' '}
            {noTranscript && <button type="button" class="btn btn-small" onClick={() => void summarize()}>Summarize it to fetch the transcript</button>}
            {noKey && <a href="#/settings" class="btn btn-small btn-quiet">Open Settings</a>}
          </p>
        )}
      </div>
      {convs.length > 0 && (
        <details class="conversations">
          <summary>{library ? 'Earlier questions about the library' : 'Earlier questions about this video'} ({convs.length})</summary>
          <ul>
            {convs.map((c) => (
              <li key={c.id} class="conversation">
                <p class="muted small">{shortDate(c.updated_at)} · {c.turns.length} {c.turns.length === 1 ? 'question' : 'questions'}</p>
                {c.turns.map((t, i) => (
                  <div key={i} class="turn">
                    <p class="turn-q"><strong>Q:</strong> {t.question}</p>
                    <AnswerText text={t.answer} citations={t.citations} videoId={c.video_id}
                      {...(t.videos ? { sources: t.videos } : {})} />
                  </div>
                ))}
                <div class="row">
                  <button type="button" class="btn btn-small btn-quiet" onClick={() => { setConversationId(c.id); input.current?.focus(); }}>
                    Continue
                  </button>
                  <button type="button" class="btn btn-small btn-danger" onClick={() => void remove(c)}
                    aria-label={`Delete the conversation of ${shortDate(c.updated_at)}`}>
                    Delete
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
