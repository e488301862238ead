import { useMemo, useRef, useState } from 'preact/hooks';
import { toApiError } from '../lib/api/errors';
import type { SummarizeRequest } from '../lib/api/types';
import { changedChoices, LOCAL_MODEL, pickerModels, requestFor, serverDefaults, type Choices } from '../lib/models';
import { useStore } from '../lib/store';
import { extractLinks, followable } from '../lib/urls';
import { useServices } from './context';
import { Dialog } from './Dialog';
import { SummaryOptions } from './Options';
import { FollowButton } from './Follow';
import { useLockedKeychain } from './keychain';

/**
 * The Summarize form. It starts from the service's defaults (GET /api_status default_model and
 * defaults, the user's settings); a choice made here applies to the next job only, and "Use as
 * default" saves it on the server for every front end. Usable at first paint: while the status
 * loads, the request names no model (the service applies its default) and the offline model
 * can be chosen.
 */
export function SummarizeForm({ explainLockedKeychain = true }: {
  /** Say why models that need a key cannot be used when the keychain is locked (off while the welcome says it). */
  explainLockedKeychain?: boolean;
} = {}) {
  const s = useServices();
  const { status, jobs } = s;
  const st = useStore(status);
  const locked = useLockedKeychain(s, explainLockedKeychain ? st.api : null);
  const [choice, setChoice] = useState<Partial<Choices>>({});
  const [saved, setSaved] = useState<string | null>(null);
  const [savingDefault, setSavingDefault] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [ask, setAsk] = useState<SummarizeRequest | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const links = useMemo(() => extractLinks(text), [text]);
  const ambiguous = links.filter((l) => l.ambiguous).length;
  const follows = links.filter(followable);
  const models = pickerModels(st.api);
  // A local LLM server found on this computer needs no key: with one up, the offline model is not the only one.
  const onlyOffline = !models.some((m) => m.available && m.key !== LOCAL_MODEL.key);
  const loading = !st.api && !st.error;
  const defaults = serverDefaults(st.api);
  const value: Choices = { ...defaults, ...Object.fromEntries(Object.entries(choice).filter(([, v]) => v)) };
  const changed = st.api ? changedChoices(value, defaults) : {};
  const differs = Object.keys(changed).length > 0;

  const useAsDefault = async () => {
    setSavingDefault(true);
    setSaved(null);
    try {
      await s.saveDefaults(changed);
      setChoice({});
      setSaved('Saved as your default, for the window and the browser alike.');
    } catch (e) {
      setSaved(toApiError(e).message);
    } finally {
      setSavingDefault(false);
    }
  };

  const send = async (req: SummarizeRequest) => {
    setAsk(null);
    setBusy(true);
    setError(null);
    try {
      await jobs.submit(req);
      setText('');
      setChoice({}); // a choice made in the form was for this job only
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
      setError('Paste at least one YouTube link (a video, a playlist or a channel).');
      return;
    }
    const req = requestFor(links.map((l) => l.url), value);
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
          autoFocus
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
        {follows.length > 0 && (
          <ul class="follow-offers" aria-label="Channels and playlists you can follow">
            {follows.map((l) => (
              <li key={l.url} class="row">
                <span class="muted">{l.channel ? 'Channel' : 'Playlist'}: {l.url}</span>{' '}
                <FollowButton key={l.url} url={l.url} />
                <span class="muted"> — new videos are then summarized as they appear.</span>
              </li>
            ))}
          </ul>
        )}
        <SummaryOptions
          idPrefix="sum"
          models={models}
          value={value}
          loading={loading}
          onChange={(v) => { setSaved(null); setChoice({ ...choice, ...v }); }}
        />
        {loading && <p class="muted" role="status">Loading your models and defaults… The offline model can be used now.</p>}
        {locked && (
          <p class="note" role="note" data-testid="form-keychain-locked">
            {onlyOffline ? 'Only the offline model can summarize now' : 'Models that need a key cannot summarize now'}: {locked}
          </p>
        )}
        {differs && (
          <p class="row defaults-row">
            <span class="muted">These choices apply to this job only.</span>
            <button type="button" class="btn btn-small" disabled={savingDefault} onClick={() => void useAsDefault()}>
              {savingDefault ? 'Saving…' : 'Use as default'}
            </button>
          </p>
        )}
        {saved && <p class="muted" role="status">{saved}</p>}
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
