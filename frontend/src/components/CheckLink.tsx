import { useState } from 'preact/hooks';
import { toApiError } from '../lib/api/errors';
import type { Diagnosis, DiagnosisTrack } from '../lib/api/types';
import { useServices } from './context';

const KIND: Record<DiagnosisTrack['kind'], string> = { manual: 'manual', asr: 'automatic', translated: 'machine-translated' };
const STATUS: Record<string, string> = {
  ok: 'answered with caption tracks',
  no_captions: 'answered: no captions',
  refused: 'refused to play the video',
  failed: 'could not be reached',
  not_asked: 'not asked (a usable track was found before)',
  not_tried: 'not tried',
};

/**
 * CheckLink is the Diagnostics screen's "Check a link": it asks the service where a video's
 * transcript would come from (POST /diagnose, `ytsum doctor`) and shows every source asked,
 * every caption track seen and the track chosen, with the reason.
 */
export function CheckLink() {
  const s = useServices();
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [d, setD] = useState<Diagnosis | null>(null);

  const check = async (e?: Event) => {
    e?.preventDefault();
    const link = url.trim();
    if (!link || busy) {
      if (!link) setError('Paste the link of one YouTube video.');
      return;
    }
    setBusy(true);
    setError(null);
    setD(null);
    try {
      setD(await s.transport.diagnose(link));
    } catch (err) {
      setError(toApiError(err).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-label="Check a link">
      <h3>Check a link</h3>
      <p class="muted">Where would this video's transcript come from? Every source asked, every caption track seen, and the one chosen.</p>
      <form class="row" onSubmit={(e) => void check(e)}>
        <label for="check-link" class="sr-only">Video link</label>
        <input id="check-link" class="grow" type="url" placeholder="https://www.youtube.com/watch?v=…" value={url}
          onInput={(e) => setUrl(e.currentTarget.value)} aria-invalid={error ? 'true' : 'false'} aria-describedby="check-link-err" />
        <button type="submit" class="btn btn-small" disabled={busy}>{busy ? 'Checking…' : 'Check'}</button>
      </form>
      {error && <p id="check-link-err" class="error" role="alert">{error}</p>}
      {d && <DiagnosisView d={d} />}
    </section>
  );
}

function DiagnosisView({ d }: { d: Diagnosis }) {
  return (
    <div class="diagnosis" aria-live="polite">
      {d.chosen ? (
        <p class="diagnosis-choice">
          <strong>Transcript found:</strong> {d.chosen.language} {KIND[d.chosen.kind as DiagnosisTrack['kind']] ?? d.chosen.kind} track
          {d.chosen.name ? ` “${d.chosen.name}”` : ''} from {d.chosen.source}. <span class="muted">Why: {d.chosen.reason}.</span>
        </p>
      ) : (
        <p class="error diagnosis-choice"><strong>No transcript found.</strong> The sources' answers below say why.</p>
      )}
      {d.sources.map((src) => (
        <section key={src.name} aria-label={`Source ${src.name}`}>
          <h4>{src.name} <span class="muted">— {STATUS[src.status] ?? src.status}</span></h4>
          {src.error && <p class="error-text">{src.error}</p>}
          {src.tracks.length > 0 && (
            <table class="tracks">
              <thead>
                <tr><th scope="col">Language</th><th scope="col">Kind</th><th scope="col">PO token</th><th scope="col">Chosen</th></tr>
              </thead>
              <tbody>
                {src.tracks.map((t, i) => (
                  <tr key={i} class={t.chosen ? 'chosen' : undefined}>
                    <td>{t.language}</td>
                    <td>{KIND[t.kind] ?? t.kind}</td>
                    <td>{t.gated ? 'needed (gated)' : 'not needed'}</td>
                    <td>{t.chosen ? 'chosen' : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </div>
  );
}
