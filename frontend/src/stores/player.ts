import { toApiError } from '../lib/api/errors';
import type { Transport } from '../lib/api/transport';
import type { VideoItem } from '../lib/api/types';
import { safeFilename } from '../lib/format';
import { load, save } from '../lib/storage';
import { createStore, type Store } from '../lib/store';
import { RATES, type PrefsStore } from './prefs';

export type PlayStatus = 'idle' | 'loading' | 'playing' | 'paused' | 'error';

export interface PlayerState {
  current: VideoItem | null;
  queue: VideoItem[];
  index: number;
  status: PlayStatus;
  position: number;
  duration: number;
  rate: number;
  error: string | null;
}

/** The parts of HTMLAudioElement the player uses (tests pass a fake). */
export interface AudioLike {
  src: string;
  currentTime: number;
  readonly duration: number;
  playbackRate: number;
  readonly paused: boolean;
  play(): Promise<void> | void;
  pause(): void;
  load?(): void;
  addEventListener(type: string, fn: () => void): void;
  removeAttribute?(name: string): void;
}

export interface PlayerStore extends Store<PlayerState> {
  play(item: VideoItem, queue?: VideoItem[]): Promise<void>;
  toggle(): void;
  pause(): void;
  seek(seconds: number): void;
  skip(delta: number): void;
  setRate(r: number): void;
  changeRate(step: 1 | -1): void;
  next(): void;
  previous(): void;
  stop(): void;
  download(): Promise<void>;
  /** Forgets cached audio of a deleted summary. */
  forget(videoId: string): void;
  dispose(): void;
}

export interface PlayerOptions {
  audio?: AudioLike;
  cacheSize?: number;
  createObjectURL?: (b: Blob) => string;
  revokeObjectURL?: (u: string) => void;
}

const posKey = (id: string) => `pos.${id}`;

/**
 * createPlayer: one audio element for the whole app, a queue ("play all"), speed,
 * ±15 s, a remembered position per summary, and MediaSession metadata/actions.
 */
export function createPlayer(t: Transport, prefs: PrefsStore, o: PlayerOptions = {}): PlayerStore {
  const audio: AudioLike = o.audio ?? new Audio();
  const mkURL = o.createObjectURL ?? ((b: Blob) => URL.createObjectURL(b));
  const rmURL = o.revokeObjectURL ?? ((u: string) => URL.revokeObjectURL(u));
  const cache = new Map<string, { url: string; blob: Blob }>();
  const s = createStore<PlayerState>({
    current: null, queue: [], index: -1, status: 'idle', position: 0, duration: 0, rate: prefs.get().rate, error: null,
  });
  let lastSaved = 0;
  let token = 0;
  const patch = (p: Partial<PlayerState>) => s.set({ ...s.get(), ...p });

  const savePos = (force = false) => {
    const cur = s.get().current;
    if (!cur) return;
    const p = audio.currentTime;
    if (!force && Math.abs(p - lastSaved) < 2) return;
    lastSaved = p;
    save(posKey(cur.video_id), p > 1 ? Math.floor(p) : undefined);
  };

  audio.addEventListener('timeupdate', () => {
    patch({ position: audio.currentTime, duration: finite(audio.duration) || s.get().duration });
    savePos();
  });
  audio.addEventListener('loadedmetadata', () => patch({ duration: finite(audio.duration) }));
  audio.addEventListener('durationchange', () => patch({ duration: finite(audio.duration) }));
  audio.addEventListener('play', () => patch({ status: 'playing' }));
  audio.addEventListener('playing', () => patch({ status: 'playing' }));
  audio.addEventListener('pause', () => {
    if (s.get().status === 'playing') patch({ status: 'paused' });
    savePos(true);
  });
  audio.addEventListener('ended', () => {
    const cur = s.get().current;
    if (cur) save(posKey(cur.video_id), undefined);
    lastSaved = 0;
    const st = s.get();
    if (st.index + 1 < st.queue.length) void start(st.queue[st.index + 1]!, st.queue, st.index + 1);
    else patch({ status: 'paused', position: 0 });
  });
  audio.addEventListener('error', () => {
    if (s.get().status !== 'idle') patch({ status: 'error', error: 'This audio could not be played.' });
  });

  const clip = async (item: VideoItem) => {
    const hit = cache.get(item.video_id);
    if (hit) {
      cache.delete(item.video_id);
      cache.set(item.video_id, hit);
      return hit;
    }
    const c = await t.speak({ video_id: item.video_id });
    const entry = { url: mkURL(c.blob), blob: c.blob };
    cache.set(item.video_id, entry);
    while (cache.size > (o.cacheSize ?? 6)) {
      const [k, v] = cache.entries().next().value as [string, { url: string }];
      if (k === s.get().current?.video_id) break;
      cache.delete(k);
      rmURL(v.url);
    }
    return entry;
  };

  const start = async (item: VideoItem, queue: VideoItem[], index: number) => {
    const my = ++token;
    savePos(true);
    audio.pause();
    patch({ current: item, queue, index, status: 'loading', position: 0, duration: 0, error: null });
    setMediaSession(item);
    try {
      const { url } = await clip(item);
      if (my !== token) return;
      audio.src = url;
      audio.playbackRate = s.get().rate;
      const resume = load<number>(posKey(item.video_id), 0);
      lastSaved = resume;
      if (resume > 0) {
        try {
          audio.currentTime = resume;
        } catch {
          /* metadata not loaded yet: set again below */
        }
        audio.addEventListener('loadedmetadata', () => {
          if (my === token && audio.currentTime < 1 && resume < finite(audio.duration)) audio.currentTime = resume;
        });
      }
      await audio.play();
      if (my === token) patch({ status: 'playing' });
    } catch (e) {
      if (my !== token) return;
      const err = toApiError(e);
      const msg = err.name === 'NotAllowedError' ? 'Press play to start listening.' : err.message;
      patch({ status: err.name === 'NotAllowedError' ? 'paused' : 'error', error: msg });
    }
  };

  const setMediaSession = (item: VideoItem) => {
    const ms = typeof navigator !== 'undefined' ? navigator.mediaSession : undefined;
    if (!ms || typeof MediaMetadata === 'undefined') return;
    try {
      ms.metadata = new MediaMetadata({
        title: item.title,
        artist: item.channel ?? '',
        album: 'YouTube Summarizer',
        artwork: item.thumbnail_url ? [{ src: item.thumbnail_url, sizes: '320x180', type: 'image/jpeg' }] : [],
      });
      const h: [MediaSessionAction, MediaSessionActionHandler][] = [
        ['play', () => api.toggle()],
        ['pause', () => api.pause()],
        ['seekbackward', () => api.skip(-15)],
        ['seekforward', () => api.skip(15)],
        ['previoustrack', () => api.previous()],
        ['nexttrack', () => api.next()],
        ['seekto', (d) => d.seekTime !== undefined && api.seek(d.seekTime)],
      ];
      for (const [a, fn] of h) {
        try {
          ms.setActionHandler(a, fn);
        } catch {
          /* action unsupported */
        }
      }
    } catch {
      /* MediaSession is optional */
    }
  };

  const api: PlayerStore = {
    ...s,
    play(item, queue) {
      const q = queue && queue.some((i) => i.video_id === item.video_id) ? queue : [item];
      return start(item, q, q.findIndex((i) => i.video_id === item.video_id));
    },
    toggle() {
      const st = s.get();
      if (!st.current) return;
      if (st.status === 'error') {
        void start(st.current, st.queue, st.index);
        return;
      }
      if (audio.paused) {
        const p = audio.play();
        if (p && typeof p.catch === 'function') p.catch((e: unknown) => patch({ status: 'error', error: toApiError(e).message }));
        patch({ status: 'playing' });
      } else audio.pause();
    },
    pause() {
      audio.pause();
    },
    seek(sec) {
      const d = finite(audio.duration) || s.get().duration;
      const v = Math.max(0, d ? Math.min(d, sec) : sec);
      audio.currentTime = v;
      patch({ position: v });
      savePos(true);
    },
    skip(delta) {
      api.seek(audio.currentTime + delta);
    },
    setRate(r) {
      audio.playbackRate = r;
      prefs.update({ rate: r });
      patch({ rate: r });
    },
    changeRate(step) {
      const i = RATES.indexOf(s.get().rate as (typeof RATES)[number]);
      const j = Math.max(0, Math.min(RATES.length - 1, (i < 0 ? 1 : i) + step));
      api.setRate(RATES[j]!);
    },
    next() {
      const st = s.get();
      if (st.index + 1 < st.queue.length) void start(st.queue[st.index + 1]!, st.queue, st.index + 1);
    },
    previous() {
      const st = s.get();
      if (audio.currentTime > 5 || st.index <= 0) api.seek(0);
      else void start(st.queue[st.index - 1]!, st.queue, st.index - 1);
    },
    stop() {
      token++;
      savePos(true);
      audio.pause();
      patch({ current: null, queue: [], index: -1, status: 'idle', position: 0, duration: 0, error: null });
    },
    async download() {
      const cur = s.get().current;
      if (!cur) return;
      const { blob } = await clip(cur);
      await t.saveFile(`${safeFilename(cur.title)}.mp3`, blob);
    },
    forget(id) {
      const hit = cache.get(id);
      if (hit) {
        cache.delete(id);
        rmURL(hit.url);
      }
      save(posKey(id), undefined);
      if (s.get().current?.video_id === id) api.stop();
    },
    dispose() {
      api.stop();
      for (const v of cache.values()) rmURL(v.url);
      cache.clear();
    },
  };
  return api;
}

function finite(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}
