import { useEffect, useState } from 'preact/hooks';
import { toApiError } from '../lib/api/errors';
import { isTerminal, type ResultItem, type VideoItem } from '../lib/api/types';
import { roughDuration } from '../lib/format';
import { defaultModel, modelName } from '../lib/models';
import { canRetry } from '../lib/retry';
import { useStore } from '../lib/store';
import { completionMessage, estimateRemaining, flatItems, percent, type JobView } from '../stores/jobs';
import { useServices } from './context';
import { Summary } from './Summary';
import { VideoCard } from './VideoCard';

const LINK_LABEL: Record<string, string> = {
  connecting: 'connecting…', realtime: 'live', polling: 'checking every few seconds', reconnecting: 'reconnecting…', closed: '',
};

function useNow(active: boolean) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

export function JobCard({ view }: { view: JobView }) {
  const s = useServices();
  const lib = useStore(s.library);
  const st = useStore(s.status);
  const { job } = view;
  const active = !isTerminal(job.status);
  const now = useNow(active);
  const pct = percent(job);
  const eta = estimateRemaining(job, now);
  const hidden = new Set(lib.pendingDelete);
  const titleId = `job-${job.id}`;
  const first = job.metadata?.urls?.[0] ?? '';
  const title = job.metadata?.urls?.length > 1 ? `${job.metadata.urls.length} links` : first || 'Job';
  const videos = flatItems(job.results).filter((i): i is VideoItem => !('type' in i) || i.type === 'video' || i.type === undefined);
  const queue = videos.filter((v) => v.summary);
  const streaming = Object.entries(view.deltas);

  const cancel = async () => {
    try {
      await s.jobs.cancel(job.id);
    } catch (e) {
      s.toasts.show(toApiError(e).message, { kind: 'error' });
    }
  };
  const retry = async (url: string) => {
    try {
      await s.jobs.retry(job.id, url);
    } catch (e) {
      s.toasts.show(toApiError(e).message, { kind: 'error' });
    }
  };

  const models = st.api?.models ?? [];
  // A retry runs with the job's own model (jobs.retry sends it); a job without one gets the service's default.
  const retryModel = job.metadata?.model || defaultModel(st.api);
  const retryable = (kind: string | undefined) => canRetry(kind, retryModel, models);

  const renderItem = (it: ResultItem | VideoItem, key: string) => {
    if ('type' in it && it.type === 'playlist') {
      return (
        <section key={key} class="playlist" aria-label={`Playlist: ${it.title}`}>
          <h4>Playlist: {it.title || it.playlist_id}</h4>
          {it.error && <p class="error-text">{it.error} {retryable(it.error_kind) && <button type="button" class="btn btn-small" onClick={() => void retry(`https://www.youtube.com/playlist?list=${it.playlist_id}`)}>Retry</button>}</p>}
          {(it.summaries ?? []).filter((v) => !hidden.has(v.video_id)).map((v) => (
            <VideoCard key={v.video_id} item={v} queue={queue} {...(v.error && retryable(v.error_kind) ? { onRetry: () => void retry(v.video_url) } : {})} />
          ))}
        </section>
      );
    }
    if ('type' in it && it.type === 'channel') {
      return (
        <section key={key} class="playlist" aria-label={`Channel: ${it.title || it.channel_id}`}>
          <h4>Channel: {it.title || it.channel_id}</h4>
          {it.error && <p class="error-text">{it.error} {retryable(it.error_kind) && it.channel_id && <button type="button" class="btn btn-small" onClick={() => void retry(`https://www.youtube.com/channel/${it.channel_id}`)}>Retry</button>}</p>}
          {(it.summaries ?? []).filter((v) => !hidden.has(v.video_id)).map((v) => (
            <VideoCard key={v.video_id} item={v} queue={queue} {...(v.error && retryable(v.error_kind) ? { onRetry: () => void retry(v.video_url) } : {})} />
          ))}
        </section>
      );
    }
    if ('type' in it && it.type === 'error') {
      return (
        <div key={key} class="card card-error">
          <div class="card-body">
            <p class="card-title">{it.url}</p>
            <p class="error-text">{it.error}</p>
          </div>
        </div>
      );
    }
    const v = it as VideoItem;
    if (hidden.has(v.video_id)) return null;
    return <VideoCard key={key} item={v} queue={queue} {...(v.error && retryable(v.error_kind) ? { onRetry: () => void retry(v.video_url) } : {})} />;
  };

  return (
    <article class={`job job-${job.status}`} aria-labelledby={titleId} data-job-id={job.id} data-status={job.status}>
      <header class="job-head">
        <h3 id={titleId} class="job-title" title={job.metadata?.urls?.join('\n')}>{title}</h3>
        <span class={`status status-${job.status}`}>{job.status}</span>
        <div class="job-buttons">
          {active && !view.local && <button type="button" class="btn btn-small btn-danger" onClick={() => void cancel()}>Cancel</button>}
          <button type="button" class="btn btn-small btn-quiet" aria-expanded={!view.minimized} onClick={() => s.jobs.toggleMinimized(job.id)}>
            {view.minimized ? 'Expand' : 'Minimize'}
          </button>
          {!active && <button type="button" class="btn-icon" aria-label="Remove this job from the list" onClick={() => s.jobs.dismiss(job.id)}>×</button>}
        </div>
      </header>
      <div
        class={`progress${active && !job.total_items ? ' progress-indeterminate' : ''}`}
        role="progressbar"
        aria-label="Job progress"
        aria-valuemin={0}
        aria-valuemax={100}
        {...(active && !job.total_items ? {} : { 'aria-valuenow': pct })}
        aria-valuetext={job.total_items ? `${pct}%, ${job.progress} of ${job.total_items} videos` : 'Starting'}
      >
        <div class="progress-fill" style={{ width: `${active && !job.total_items ? 30 : pct}%` }} />
      </div>
      <p class="job-line">
        <span class="pct">{pct}%</span>
        {job.metadata?.model && <span class="muted" title="Model">{modelName(job.metadata.model, models)}</span>}
        {job.total_items > 0 && <span>{job.progress} of {job.total_items} done</span>}
        {eta !== null && <span>about {roughDuration(eta)} left</span>}
        {active && job.current_item && <span class="current" title={job.current_item}>Now: {job.current_item}</span>}
        {active && view.link && LINK_LABEL[view.link] && <span class="muted">Updates: {LINK_LABEL[view.link]}</span>}
      </p>
      {!active && <p class={`done-msg done-${job.status}`} role="status">{completionMessage(job)}</p>}
      {!view.minimized && (
        <div class="job-body">
          {streaming.length > 0 && active && (
            <div class="streaming" aria-live="off">
              {streaming.map(([vid, text]) => (
                <div key={vid} class="stream-text">
                  <span class="muted">Writing the summary of {vid}…</span>
                  <Summary text={text} />
                </div>
              ))}
            </div>
          )}
          {job.results.map((r, i) => renderItem(r, `${i}-${'video_id' in r ? r.video_id : 'playlist_id' in r ? r.playlist_id : 'channel_id' in r ? r.channel_id : r.url}`))}
          <details class="log">
            <summary>Log ({view.log.length})</summary>
            <ol>
              {view.log.map((l, i) => <li key={i}><time>{new Date(l.at).toLocaleTimeString()}</time> {l.text}</li>)}
            </ol>
          </details>
        </div>
      )}
    </article>
  );
}
