import { useEffect, useState } from 'preact/hooks';
import { toApiError } from '../lib/api/errors';
import { useStore } from '../lib/store';
import { newTotal, subscriptionsFor } from '../stores/subscriptions';
import { useServices } from './context';

// The parts of following that the first screen uses (the Subscriptions screen loads later).

/** The app's title with the count of new summaries ("YouTube Summarizer (3 new)"), in the window and the tab. */
export function useNewCountTitle(): number {
  const s = useServices();
  const subs = subscriptionsFor(s.transport);
  const st = useStore(subs);
  useEffect(() => { if (!subs.get().loaded) void subs.load(); }, []);
  // A finished job may have made new summaries: reload the counts.
  useEffect(() => s.jobs.onFinished(() => void subs.load()), []);
  const n = newTotal(st.list);
  useEffect(() => {
    const title = n > 0 ? `YouTube Summarizer (${n} new)` : 'YouTube Summarizer';
    document.title = title;
    const rt = (window as unknown as { runtime?: { WindowSetTitle?(t: string): void } }).runtime;
    rt?.WindowSetTitle?.(title);
  }, [n]);
  return n;
}

/** "Follow" for a channel or playlist link: follows it with the user's defaults. */
export function FollowButton({ url, label = 'Follow' }: { url: string; label?: string }) {
  const s = useServices();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const follow = async () => {
    setBusy(true);
    try {
      const sub = await subscriptionsFor(s.transport).follow({ url });
      setDone(true);
      s.toasts.show(`Following ${sub.title || 'it'}: new videos will be summarized as they appear.`, { kind: 'success' });
    } catch (e) {
      s.toasts.show(toApiError(e).message, { kind: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" class="btn btn-small" disabled={busy || done} onClick={() => void follow()}>
      {done ? 'Following' : busy ? 'Following…' : label}
    </button>
  );
}
