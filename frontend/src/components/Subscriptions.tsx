import { useEffect, useState } from 'preact/hooks';
import { toApiError } from '../lib/api/errors';
import type { Subscription, SubscriptionPatch } from '../lib/api/types';
import { shortDate } from '../lib/format';
import { pickerModels } from '../lib/models';
import { useStore } from '../lib/store';
import { subscriptionsFor } from '../stores/subscriptions';
import { useServices } from './context';
import { SummaryOptions, type OptionValues } from './Options';

const INTERVALS: [number, string][] = [[15, 'Every 15 minutes'], [30, 'Every 30 minutes'], [60, 'Every hour'],
  [180, 'Every 3 hours'], [360, 'Every 6 hours'], [720, 'Every 12 hours'], [1440, 'Once a day']];

function intervalLabel(m: number): string {
  return INTERVALS.find(([v]) => v === m)?.[1] ?? `Every ${m} minutes`;
}

/** The subscription's cached picture (served offline by the app), else its first letter (☰ for a playlist). */
function Avatar({ sub }: { sub: Subscription }) {
  const [broken, setBroken] = useState<string | null>(null);
  const src = sub.thumbnail_url;
  if (src && broken !== src) {
    return <img class="avatar" src={src} alt="" aria-hidden="true" title={sub.kind} loading="lazy" onError={() => setBroken(src)} />;
  }
  const letters = (sub.title || '?').trim().slice(0, 1).toUpperCase();
  return <span class="avatar" aria-hidden="true" title={sub.kind}>{sub.kind === 'playlist' ? '☰' : letters}</span>;
}

function Row({ sub }: { sub: Subscription }) {
  const s = useServices();
  const st = useStore(s.status);
  const subs = subscriptionsFor(s.transport);
  const [edit, setEdit] = useState<(OptionValues & { interval: number }) | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    try {
      await fn();
    } catch (e) {
      s.toasts.show(toApiError(e).message, { kind: 'error' });
    } finally {
      setBusy(false);
    }
  };
  const update = (patch: SubscriptionPatch) => act(async () => subs.put(await s.transport.updateSubscription(sub.id, patch)));
  const check = () => act(async () => {
    const r = await s.transport.checkSubscription(sub.id);
    s.toasts.show(r.new_videos ? `${r.new_videos} new ${r.new_videos === 1 ? 'video is' : 'videos are'} being summarized.` : `Nothing new from ${sub.title}.`, { kind: 'info' });
    if (r.job_id) void s.jobs.load();
    await subs.load();
  });
  const unfollow = () => act(async () => {
    await s.transport.unfollow(sub.id);
    subs.remove(sub.id);
    s.toasts.show(`Unfollowed ${sub.title}. Its summaries stay in your library.`, { kind: 'info' });
  });
  const save = () => edit && act(async () => {
    subs.put(await s.transport.updateSubscription(sub.id, { model: edit.model, style: edit.style, length: edit.length, language: edit.language, interval_minutes: edit.interval }));
    setEdit(null);
  });
  const showSummaries = (onlyNew: boolean) => {
    s.library.setFilter({ subscription: sub.id, newOnly: onlyNew });
    location.hash = '#/library';
  };
  return (
    <li class="sub-row" aria-label={sub.title}>
      <Avatar sub={sub} />
      <div class="grow">
        <h3 class="card-title">
          <a href={sub.url} target="_blank" rel="noopener noreferrer" data-external="">{sub.title || sub.source_id}</a>
          {sub.paused && <span class="badge badge-quiet"> paused</span>}
          {sub.new_count > 0 && <span class="badge"> {sub.new_count} new</span>}
        </h3>
        <p class="meta">
          <span>{sub.kind === 'playlist' ? 'Playlist' : 'Channel'}</span>
          <span>{intervalLabel(sub.interval_minutes)}</span>
          <span>{sub.last_checked_at ? `Last checked ${shortDate(sub.last_checked_at)}` : 'Not checked yet'}</span>
          {sub.model && <span class="badge">{sub.model}</span>}
        </p>
        {sub.last_error && <p class="error-text">The last check failed: {sub.last_error}</p>}
        <div class="actions" role="group" aria-label={`Actions for ${sub.title}`}>
          <button type="button" class="btn btn-small" disabled={busy} onClick={() => void check()}>Check now</button>
          <button type="button" class="btn btn-small" disabled={busy} onClick={() => void update({ paused: !sub.paused })}>
            {sub.paused ? 'Resume' : 'Pause'}
          </button>
          <button type="button" class="btn btn-small" aria-expanded={edit !== null} disabled={busy}
            onClick={() => setEdit(edit ? null : { model: sub.model, style: sub.style, length: sub.length, language: sub.language, interval: sub.interval_minutes })}>
            Edit…
          </button>
          <button type="button" class="btn btn-small btn-quiet" onClick={() => showSummaries(false)}>Summaries</button>
          {sub.new_count > 0 && <button type="button" class="btn btn-small btn-quiet" onClick={() => showSummaries(true)}>New</button>}
          {confirm ? (
            <>
              <button type="button" class="btn btn-small btn-danger" disabled={busy} onClick={() => void unfollow()}>Unfollow {sub.title}</button>
              <button type="button" class="btn btn-small btn-quiet" onClick={() => setConfirm(false)}>Keep</button>
            </>
          ) : (
            <button type="button" class="btn btn-small btn-danger" onClick={() => setConfirm(true)}>Unfollow…</button>
          )}
        </div>
        {edit && (
          <div class="regen" role="group" aria-label={`Settings of ${sub.title}`}>
            <SummaryOptions idPrefix={`sub-${sub.id}`} models={pickerModels(st.api)} loading={!st.api && !st.error}
              value={edit} onChange={(v) => setEdit({ ...edit, ...v })} />
            <label for={`sub-${sub.id}-interval`}>
              Check
              <select id={`sub-${sub.id}-interval`} value={String(edit.interval)} onChange={(e) => setEdit({ ...edit, interval: Number(e.currentTarget.value) })}>
                {INTERVALS.map(([v, l]) => <option key={v} value={String(v)}>{l}</option>)}
                {!INTERVALS.some(([v]) => v === edit.interval) && <option value={String(edit.interval)}>{intervalLabel(edit.interval)}</option>}
              </select>
            </label>
            <button type="button" class="btn btn-primary btn-small" disabled={busy} onClick={() => void save()}>Save</button>
            <button type="button" class="btn btn-small btn-quiet" onClick={() => setEdit(null)}>Cancel</button>
          </div>
        )}
      </div>
    </li>
  );
}

/** The Subscriptions screen: follow a channel or playlist, and see, edit, pause or unfollow each one. */
export function Subscriptions() {
  const s = useServices();
  const subs = subscriptionsFor(s.transport);
  const st = useStore(subs);
  const [url, setUrl] = useState('');
  const [backfill, setBackfill] = useState(0);
  const [interval, setInterval_] = useState(60);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void subs.load(), []);

  const follow = async (e: Event) => {
    e.preventDefault();
    if (!url.trim()) {
      setError('Paste the link of a YouTube channel or playlist.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const sub = await subs.follow({ url: url.trim(), interval_minutes: interval, ...(backfill > 0 ? { backfill } : {}) });
      setUrl('');
      s.toasts.show(backfill > 0 ? `Following ${sub.title}; its newest ${backfill} ${backfill === 1 ? 'video is' : 'videos are'} being summarized.` : `Following ${sub.title}.`, { kind: 'success' });
      if (backfill > 0) void s.jobs.load();
    } catch (err) {
      setError(toApiError(err).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="subs-h">
      <h2 id="subs-h">Subscriptions</h2>
      <p class="muted">New videos of the channels and playlists you follow are summarized while the app runs, with each one's own model and style.</p>
      <form class="toolbar" onSubmit={(e) => void follow(e)}>
        <label for="sub-url" class="grow">
          Channel or playlist link
          <input id="sub-url" type="url" value={url} placeholder="https://www.youtube.com/@channel"
            onInput={(e) => setUrl(e.currentTarget.value)} aria-invalid={error ? 'true' : 'false'} aria-describedby="sub-err" />
        </label>
        <label for="sub-interval">
          Check
          <select id="sub-interval" value={String(interval)} onChange={(e) => setInterval_(Number(e.currentTarget.value))}>
            {INTERVALS.map(([v, l]) => <option key={v} value={String(v)}>{l}</option>)}
          </select>
        </label>
        <label for="sub-backfill">
          Summarize the newest now
          <input id="sub-backfill" type="number" min={0} max={15} value={String(backfill)}
            onInput={(e) => setBackfill(Math.max(0, Math.min(15, Number(e.currentTarget.value) || 0)))} />
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy}>{busy ? 'Following…' : 'Follow'}</button>
      </form>
      <p id="sub-err" class="error" role="alert">{error}</p>
      {st.error && (
        <p class="error" role="alert">{st.error} <button type="button" class="btn btn-small" onClick={() => void subs.load()}>Try again</button></p>
      )}
      {st.loaded && !st.list.length && <p class="empty">You follow nothing yet. Paste a channel or playlist link above.</p>}
      <ul class="subs" aria-busy={st.loading}>
        {st.list.map((sub) => <Row key={sub.id} sub={sub} />)}
      </ul>
    </section>
  );
}
