import { useMemo, useRef, useState } from 'preact/hooks';
import { toApiError } from '../lib/api/errors';
import type { SummarizeRequest } from '../lib/api/types';
import { useStore } from '../lib/store';
import { extractLinks } from '../lib/urls';
import { useServices } from './context';
import { Dialog } from './Dialog';
import { SummaryOptions } from './Options';

export function SummarizeForm() {
  const { prefs, status, jobs } = useServices();
  const p = useStore(prefs);
  const st = useStore(status);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [ask, setAsk] = useState<SummarizeRequest | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const links = useMemo(() => extractLinks(text), [text]);
  const ambiguous = links.filter((l) => l.ambiguous).length;
  const models = st.api?.models ?? [];
  const available = models.filter((m) => m.available).map((m) => m.key);
  const model = available.includes(p.model) ? p.model : (available[0] ?? '');

  const send = async (req: SummarizeRequest) => {
    setAsk(null);
    setBusy(true);
    setError(null);
    try {
      await jobs.submit(req);
      setText('');
    } catch (e) {
      const err = toApiError(e);
      setError(err.retryAfter ? `${err.message} Try again in ${err.retryAfter} s.` : err.message);
    } finally {
      setBusy(false);
      area.current?.focus();
    }
  };

  const submit = (e?: Event) => {
    e?.preventDefault();
    if (busy) return;
    if (!links.length) {
      setError('Paste at least one YouTube link (a video or a playlist).');
      return;
    }
    const req: SummarizeRequest = { urls: links.map((l) => l.url), style: p.style, length: p.length, language: p.language };
    if (model) req.model = model;
    if (ambiguous) setAsk(req);
    else void send(req);
  };

  return (
    <section class="panel" aria-labelledby="sum-h">
      <h2 id="sum-h">Summarize</h2>
      <form onSubmit={submit} aria-describedby="links-hint">
        <label for="links" class="block-label">Links</label>
        <textarea
          id="links"
          ref={area}
          rows={4}
          value={text}
          placeholder={'https://www.youtube.com/watch?v=…\nhttps://www.youtube.com/playlist?list=…'}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
          }}
          aria-invalid={error ? 'true' : 'false'}
          aria-describedby="links-hint links-err"
        />
        <p id="links-hint" class="hint">
          Paste links one per line, or any text that contains them.{' '}
          {links.length > 0 && (
            <strong>
              {links.length} {links.length === 1 ? 'link' : 'links'} found
              {ambiguous ? `, ${ambiguous} inside a playlist` : ''}.
            </strong>
          )}{' '}
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd> to start.
        </p>
        <SummaryOptions
          idPrefix="sum"
          models={models}
          value={{ model, style: p.style, length: p.length, language: p.language }}
          onChange={(v) => prefs.update(v)}
        />
        <div class="row">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Starting…' : 'Summarize'}
          </button>
          {st.error && !st.api && <span class="muted">Service status unknown: {st.error}</span>}
        </div>
        <p id="links-err" class="error" role="alert">{error}</p>
      </form>
      {ask && (
        <Dialog title="Video or playlist?" onClose={() => setAsk(null)}>
          <p>
            {ambiguous === 1 ? 'One link points to a video inside a playlist.' : `${ambiguous} links point to videos inside playlists.`}{' '}
            What should be summarized?
          </p>
          <div class="row">
            <button type="button" class="btn btn-primary" autoFocus onClick={() => void send({ ...ask, prefer_playlist: false })}>
              Just the video
            </button>
            <button type="button" class="btn" onClick={() => void send({ ...ask, prefer_playlist: true })}>
              The whole playlist
            </button>
            <button type="button" class="btn btn-quiet" onClick={() => setAsk(null)}>Cancel</button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
