import { toApiError } from '../lib/api/errors';
import { clock } from '../lib/format';
import { useStore } from '../lib/store';
import { RATES } from '../stores/prefs';
import { useServices } from './context';

export function PlayerBar() {
  const s = useServices();
  const st = useStore(s.player);
  if (!st.current) return null;
  const playing = st.status === 'playing';
  const dur = st.duration;
  const download = async () => {
    try {
      await s.player.download();
    } catch (e) {
      s.toasts.show(toApiError(e).message, { kind: 'error' });
    }
  };
  return (
    <section class="player" aria-label="Audio player" data-status={st.status}>
      <div class="player-title">
        <strong>{st.current.title}</strong>
        {st.queue.length > 1 && <span class="muted"> · {st.index + 1} of {st.queue.length}</span>}
        <span class="sr-only" aria-live="polite">{st.status === 'loading' ? 'Loading audio' : st.status === 'error' ? st.error : ''}</span>
        {st.error && <span class="error-text"> {st.error}</span>}
      </div>
      <div class="player-controls">
        {st.queue.length > 1 && <button type="button" class="btn-icon" aria-label="Previous" onClick={() => s.player.previous()}>|◀</button>}
        <button type="button" class="btn-icon" aria-label="Back 15 seconds" onClick={() => s.player.skip(-15)}>↺15</button>
        <button type="button" class="btn btn-primary play" aria-label={playing ? 'Pause' : 'Play'} onClick={() => s.player.toggle()} disabled={st.status === 'loading'}>
          {st.status === 'loading' ? '…' : playing ? '❚❚' : '▶'}
        </button>
        <button type="button" class="btn-icon" aria-label="Forward 15 seconds" onClick={() => s.player.skip(15)}>15↻</button>
        {st.queue.length > 1 && <button type="button" class="btn-icon" aria-label="Next" onClick={() => s.player.next()}>▶|</button>}
        <span class="time" aria-hidden="true">{clock(st.position)}</span>
        <input
          type="range"
          class="seek"
          min={0}
          max={dur || 0}
          step={1}
          value={Math.floor(st.position)}
          aria-label="Seek"
          aria-valuetext={`${clock(st.position)} of ${clock(dur)}`}
          disabled={!dur}
          onInput={(e) => s.player.seek(Number(e.currentTarget.value))}
        />
        <span class="time" aria-hidden="true">{clock(dur)}</span>
        <label class="sr-only" for="rate">Speed</label>
        <select id="rate" class="select-small" value={String(st.rate)} onChange={(e) => s.player.setRate(Number(e.currentTarget.value))}>
          {RATES.map((r) => <option key={r} value={String(r)}>{r}×</option>)}
        </select>
        <button type="button" class="btn btn-small" onClick={() => void download()}>MP3</button>
        <button type="button" class="btn-icon" aria-label="Close player" onClick={() => s.player.stop()}>×</button>
      </div>
    </section>
  );
}
