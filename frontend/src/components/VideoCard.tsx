import { useState } from 'preact/hooks';
import { toApiError } from '../lib/api/errors';
import type { VideoItem } from '../lib/api/types';
import { clock, shortDate } from '../lib/format';
import { highlightText, sanitizeSnippet } from '../lib/markdown';
import { pickerModels, requestFor, serverDefaults } from '../lib/models';
import { useStore } from '../lib/store';
import { useServices } from './context';
import { STYLE_LABELS, SummaryOptions, type OptionValues } from './Options';
import { AskBox } from './AskBox';
import { Summary } from './Summary';
import { FollowButton } from './Follow';

export interface VideoCardProps {
  item: VideoItem;
  /** The list it belongs to: "listen" queues it ("play all" order). */
  queue?: VideoItem[];
  highlight?: string;
  onRetry?: () => void;
  /** Long summaries start folded (library). */
  fold?: boolean;
  /** Found by a subscription and not opened yet: marked "New" until the user opens it. */
  isNew?: boolean;
  /** Called once the user opened a new summary (it was marked opened on the service). */
  onOpened?: (videoId: string) => void;
  /** Offer "Follow channel" (library) when the item knows its channel id. */
  offerFollow?: boolean;
}

function Thumb({ item }: { item: VideoItem }) {
  const { transport } = useServices();
  const [src, setSrc] = useState(() => transport.thumbnailURL(item.video_id));
  const [gone, setGone] = useState(false);
  if (gone) return <div class="thumb thumb-empty" aria-hidden="true">▶</div>;
  return (
    <img
      class="thumb"
      src={src}
      alt=""
      loading="lazy"
      width={160}
      height={90}
      onError={() => {
        if (item.thumbnail_url && src !== item.thumbnail_url) setSrc(item.thumbnail_url);
        else setGone(true);
      }}
    />
  );
}

/** Whether the summary was made from the video itself, not from captions (either field the service may send). */
export function fromVideo(item: VideoItem): boolean {
  return item.from_video === true || item.input === 'video';
}

export function VideoCard({ item, queue, highlight, onRetry, fold, isNew, onOpened, offerFollow }: VideoCardProps) {
  const s = useServices();
  const st = useStore(s.status);
  const player = useStore(s.player);
  const foldable = Boolean(fold) && (item.summary?.length ?? 0) > 600;
  const [open, setOpen] = useState(!foldable);
  const [regen, setRegen] = useState<OptionValues | null>(null);
  const [exportFmt, setExportFmt] = useState<'md' | 'txt' | 'json'>('md');
  const [asking, setAsking] = useState(false);
  const titleId = `t-${item.video_id}`;
  const playingThis = player.current?.video_id === item.video_id;

  if (item.error && !item.summary) {
    return (
      <article class="card card-error" aria-labelledby={titleId}>
        <div class="card-body">
          <h3 id={titleId} class="card-title">{item.title || item.video_url || item.video_id}</h3>
          <p class="error-text">{item.error}</p>
          {onRetry && <button type="button" class="btn btn-small" onClick={onRetry}>Retry</button>}
        </div>
      </article>
    );
  }

  // Opening a new summary (reading more, listening, copying, following its link) clears "New".
  const opened = () => {
    if (!isNew) return;
    s.transport.markOpened(item.video_id).then(() => onOpened?.(item.video_id), () => {});
  };
  const copy = async () => {
    opened();
    try {
      await s.transport.copyText(item.summary ?? '');
      s.toasts.show('Summary copied.', { kind: 'success' });
    } catch (e) {
      s.toasts.show(toApiError(e).message, { kind: 'error' });
    }
  };
  const doExport = async () => {
    try {
      const f = await s.transport.exportSummary(item.video_id, exportFmt);
      const type = exportFmt === 'json' ? 'application/json' : exportFmt === 'md' ? 'text/markdown' : 'text/plain';
      await s.transport.saveFile(f.filename, new Blob([f.content], { type }));
    } catch (e) {
      s.toasts.show(toApiError(e).message, { kind: 'error' });
    }
  };
  const remove = () => {
    s.player.forget(item.video_id);
    const undo = s.library.scheduleDelete(item, (err) => {
      if (err) s.toasts.show(`Could not delete “${item.title}”: ${err}`, { kind: 'error' });
    });
    s.toasts.show(`Deleted “${item.title}”.`, { action: { label: 'Undo', run: undo }, timeoutMs: 6000 });
  };
  const regenerate = async () => {
    if (!regen) return;
    try {
      await s.jobs.submit({ ...requestFor([item.video_url || `https://www.youtube.com/watch?v=${item.video_id}`], regen), regenerate: true });
      s.toasts.show('Regenerating — follow it under Jobs.', { kind: 'info' });
      setRegen(null);
      location.hash = '#/';
    } catch (e) {
      s.toasts.show(toApiError(e).message, { kind: 'error' });
    }
  };

  const snippet = highlight && item.snippet ? sanitizeSnippet(item.snippet) : '';
  return (
    <article class={`card${playingThis ? ' card-playing' : ''}`} aria-labelledby={titleId}>
      <Thumb item={item} />
      <div class="card-body">
        <h3 id={titleId} class="card-title">
          <a href={item.video_url} target="_blank" rel="noopener noreferrer" data-external="" onClick={opened}
            dangerouslySetInnerHTML={{ __html: highlightText(item.title || item.video_id, highlight ?? '') }} />
        </h3>
        <p class="meta">
          {item.channel && <span>{item.channel}</span>}
          {item.duration_seconds ? <span>{clock(item.duration_seconds)}</span> : null}
          {item.summarized_at && <span>{shortDate(item.summarized_at)}</span>}
          {item.model_used && <span class="badge">{item.model_used}</span>}
          {item.style && <span class="badge badge-alt">{STYLE_LABELS[item.style] ?? item.style}</span>}
          {item.source === 'cache' && <span class="badge badge-quiet">from library</span>}
          {isNew && <span class="badge badge-new">New</span>}
        </p>
        {fromVideo(item) && <p class="note from-video">Summarized from the video itself (no captions).</p>}
        {item.note && <p class="note summary-note">{item.note}</p>}
        {snippet && <p class="snippet" dangerouslySetInnerHTML={{ __html: snippet }} />}
        {item.summary && (
          <div class={open ? '' : 'folded'}>
            <Summary text={item.summary} videoURL={item.video_url} {...(highlight ? { highlight } : {})} />
          </div>
        )}
        <div class="actions" role="group" aria-label={`Actions for ${item.title}`}>
          {foldable && (
            <button type="button" class="btn btn-small btn-quiet" aria-expanded={open} onClick={() => { if (!open) opened(); setOpen(!open); }}>
              {open ? 'Show less' : 'Show more'}
            </button>
          )}
          <button type="button" class="btn btn-small"
            onClick={() => { opened(); if (playingThis) s.player.toggle(); else void s.player.play(item, queue); }}
            aria-label={playingThis && player.status === 'playing' ? `Pause ${item.title}` : `Listen to ${item.title}`}>
            {playingThis && player.status === 'playing' ? '❚❚ Pause' : playingThis && player.status === 'loading' ? '… Loading' : '▶ Listen'}
          </button>
          <button type="button" class="btn btn-small" onClick={() => void copy()}>Copy</button>
          <span class="inline-group">
            <label class="sr-only" for={`fmt-${item.video_id}`}>Export format</label>
            <select id={`fmt-${item.video_id}`} class="select-small" value={exportFmt} onChange={(e) => setExportFmt(e.currentTarget.value as 'md')}>
              <option value="md">Markdown</option>
              <option value="txt">Text</option>
              <option value="json">JSON</option>
            </select>
            <button type="button" class="btn btn-small" onClick={() => void doExport()}>Export</button>
          </span>
          <button type="button" class="btn btn-small" aria-expanded={regen !== null}
            onClick={() => {
              const d = serverDefaults(st.api);
              setRegen(regen ? null : { model: item.model_used || d.model, style: item.style || d.style, length: item.length || d.length, language: item.language || d.language });
            }}>
            Regenerate…
          </button>
          {item.summary && (
            <button type="button" class="btn btn-small" aria-expanded={asking} aria-controls={`ask-${item.video_id}`}
              onClick={() => setAsking(!asking)}>
              Ask…
            </button>
          )}
          {offerFollow && item.channel_id && (
            <FollowButton url={`https://www.youtube.com/channel/${item.channel_id}`} label={`Follow ${item.channel || 'channel'}`} />
          )}
          <button type="button" class="btn btn-small btn-danger" onClick={remove}>Delete</button>
        </div>
        {asking && (
          <div id={`ask-${item.video_id}`}>
            <AskBox videoId={item.video_id} videoURL={item.video_url || `https://www.youtube.com/watch?v=${item.video_id}`} title={item.title} />
          </div>
        )}
        {regen && (
          <div class="regen" role="group" aria-label="Regenerate with other options">
            <SummaryOptions idPrefix={`rg-${item.video_id}`} models={pickerModels(st.api)} loading={!st.api && !st.error} value={regen} onChange={(v) => setRegen({ ...regen, ...v })} />
            <button type="button" class="btn btn-primary btn-small" onClick={() => void regenerate()}>Regenerate</button>
            <button type="button" class="btn btn-small btn-quiet" onClick={() => setRegen(null)}>Cancel</button>
          </div>
        )}
      </div>
    </article>
  );
}
