import { toApiError } from '../lib/api/errors';
import type { Transport } from '../lib/api/transport';
import type { FollowRequest, Subscription } from '../lib/api/types';
import { createStore, type Store } from '../lib/store';

export interface SubscriptionsState {
  list: Subscription[];
  loaded: boolean;
  loading: boolean;
  error: string | null;
}

export interface SubscriptionsStore extends Store<SubscriptionsState> {
  /** Reloads GET /subscriptions; never rejects (a failure is state.error). */
  load(): Promise<void>;
  /** Follows a link; rejects with the service's sentence (a video link, a duplicate…). */
  follow(req: FollowRequest): Promise<Subscription>;
  /** Puts a subscription's new state in the list (an answer or a pushed event). */
  put(s: Subscription): void;
  remove(id: string): void;
  dispose(): void;
}

/** The total of new summaries (not opened yet) over all subscriptions. */
export function newTotal(list: Subscription[]): number {
  return list.reduce((n, s) => n + (s.new_count || 0), 0);
}

const stores = new WeakMap<Transport, SubscriptionsStore>();

/**
 * subscriptionsFor returns the one subscriptions store of a transport (created on first use).
 * Where the service pushes `subscription` events (the window), an event with `removed: true`
 * drops that subscription at once, any other puts its new state (a cached picture, a check),
 * and the list reloads shortly after (the service's word); elsewhere (the browser, which has no
 * subscription events) the list reloads when a screen asks and after each change made here —
 * an unfollow drops the row on the DELETE's answer.
 */
export function subscriptionsFor(t: Transport): SubscriptionsStore {
  let s = stores.get(t);
  if (!s) {
    s = createSubscriptions(t);
    stores.set(t, s);
  }
  return s;
}

/** When the browser reloads the list after a follow to show its picture. */
export const PICTURE_RELOADS_MS = [2_000, 6_000, 22_000];

export function createSubscriptions(t: Transport): SubscriptionsStore {
  const s = createStore<SubscriptionsState>({ list: [], loaded: false, loading: false, error: null });
  let seq = 0;
  const load = async () => {
    const my = ++seq;
    s.set({ ...s.get(), loading: true });
    try {
      const list = await t.listSubscriptions();
      if (my !== seq) return;
      s.set({ list, loaded: true, loading: false, error: null });
    } catch (e) {
      if (my !== seq) return;
      s.set({ ...s.get(), loading: false, error: toApiError(e).message });
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const put = (sub: Subscription) => {
    const list = s.get().list;
    const i = list.findIndex((x) => x.id === sub.id);
    s.set({ ...s.get(), list: i < 0 ? [...list, sub] : list.map((x) => (x.id === sub.id ? sub : x)) });
  };
  const remove = (id: string) => {
    s.set({ ...s.get(), list: s.get().list.filter((x) => x.id !== id) });
  };
  const off = t.onSubscriptionEvent?.((sub) => {
    if (sub.removed) remove(sub.id);
    else if (s.get().loaded) put(sub);
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => { timer = undefined; void load(); }, 100);
  });
  // Without subscription events (the browser), a picture fetched after the
  // follow answered is read by reloading the list a few times, until the
  // subscription has it (the server gives a picture 20 s at most).
  const pictureWaits = new Set<ReturnType<typeof setTimeout>>();
  const awaitPicture = (id: string, delays: number[]) => {
    const [d, ...rest] = delays;
    if (d === undefined) return;
    const w = setTimeout(async () => {
      pictureWaits.delete(w);
      await load();
      const sub = s.get().list.find((x) => x.id === id);
      if (sub && !sub.thumbnail_url) awaitPicture(id, rest);
    }, d);
    pictureWaits.add(w);
  };
  return {
    ...s,
    load,
    async follow(req) {
      const sub = await t.follow(req);
      put(sub);
      if (!off && !sub.thumbnail_url) awaitPicture(sub.id, PICTURE_RELOADS_MS);
      return sub;
    },
    put,
    remove,
    dispose() {
      off?.();
      if (timer !== undefined) clearTimeout(timer);
      for (const w of pictureWaits) clearTimeout(w);
      pictureWaits.clear();
    },
  };
}
