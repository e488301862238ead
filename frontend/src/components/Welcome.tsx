import { useState } from 'preact/hooks';
import { toApiError } from '../lib/api/errors';
import { modelName, pickerModels, requestFor, serverDefaults, whyModel } from '../lib/models';
import { useStore } from '../lib/store';
import { useServices } from './context';
import { useLockedKeychain } from './keychain';

/** A short public video with captions, for a first try. */
export const SAMPLE_LINK = 'https://www.youtube.com/watch?v=jNQXAC9IVRw';

/**
 * The first-run welcome, shown while the library is empty: which model will be used and why,
 * how to add a key, whether listening works, and a sample link to try. App hides it once a
 * summary exists.
 */
export function Welcome() {
  const s = useServices();
  const st = useStore(s.status);
  const [link, setLink] = useState(SAMPLE_LINK);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<string | null>(null);
  const api = st.api;
  const model = api ? serverDefaults(api).model : '';
  const anyKey = api ? api.google_api_key_set === true || api.openai_api_key_set === true : false;
  // With no key readable, say so when it is because the keychain is locked
  // (a saved key is there but cannot be read), not only "add a key".
  const locked = useLockedKeychain(s, api);

  const trySample = async (e: Event) => {
    e.preventDefault();
    const url = link.trim();
    if (!url) return;
    setBusy(true);
    setMsg(null);
    try {
      await s.jobs.submit(requestFor([url], serverDefaults(st.api)));
      setMsg('Started — follow it under Jobs below.');
    } catch (err) {
      setMsg(toApiError(err).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel welcome" aria-labelledby="welcome-h">
      <h2 id="welcome-h">Welcome</h2>
      <p>Paste a YouTube link and get a summary you can read, search and listen to. Your summaries stay on this computer.</p>
      <ul class="welcome-list">
        <li data-testid="welcome-model">
          <strong>Model: </strong>
          {api ? <>{modelName(model, pickerModels(api))} — {whyModel(model, api, locked !== null)}.</> : <span class="muted">loading…</span>}
        </li>
        <li data-testid="welcome-key">
          <strong>{anyKey || !api ? 'Keys: ' : 'Better summaries: '}</strong>
          {!api ? <span class="muted">loading…</span> : anyKey ? <>Change the model or your keys in <a href="#/settings">Settings → AI providers</a>.</> : <>
            get a free Gemini API key from Google AI Studio
            (<a href="https://aistudio.google.com/apikey" target="_blank" rel="noopener noreferrer" data-external="">aistudio.google.com/apikey</a>),
            then paste it in <a href="#/settings">Settings → AI providers</a>. An OpenAI key works too.
          </>}
          {locked && !anyKey && <p class="note" role="note" data-testid="welcome-keychain-locked">{locked}</p>}
        </li>
        <li data-testid="welcome-listen">
          <strong>Listening: </strong>
          {!api ? <span class="muted">loading…</span> : api.tts_available
            ? `available${api.tts_engine === 'cloud' ? ' with the Google Cloud voices' : api.tts_engine === 'offline' ? ' with the offline voice' : ''} — press ▶ Listen on any summary.`
            : 'not available yet — add a Google Cloud Text-to-Speech key in Settings → Voice and audio, or install an offline voice (espeak-ng).'}
        </li>
      </ul>
      <form class="row" onSubmit={(e) => void trySample(e)}>
        <label for="sample-link" class="grow">
          Try a sample
          <input id="sample-link" type="url" value={link} onInput={(e) => setLink(e.currentTarget.value)} />
        </label>
        <button type="submit" class="btn" disabled={busy}>{busy ? 'Starting…' : 'Summarize the sample'}</button>
      </form>
      {msg && <p class="muted" role="status">{msg}</p>}
    </section>
  );
}
