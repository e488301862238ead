import { vi } from 'vitest';
import type { EventSourceLike } from '../src/lib/api/live';
import type { Job, VideoItem } from '../src/lib/api/types';
import type { AudioLike } from '../src/stores/player';

/** A controllable EventSource: tests open it, send messages, drop it. */
export class FakeEventSource implements EventSourceLike {
  static all: FakeEventSource[] = [];
  readyState = 0;
  onopen: ((ev: Event) => unknown) | null = null;
  onmessage: ((ev: MessageEvent) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  closed = false;
  private listeners = new Map<string, ((ev: MessageEvent) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.all.push(this);
  }
  addEventListener(type: string, fn: (ev: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  send(data: unknown, event?: string): void {
    const ev = new MessageEvent(event ?? 'message', { data: JSON.stringify(data) });
    if (event) for (const fn of this.listeners.get(event) ?? []) fn(ev);
    else this.onmessage?.(ev);
  }
  /** Network drop: the browser would reconnect by itself (CONNECTING). */
  drop(): void {
    this.readyState = 0;
    this.onerror?.(new Event('error'));
  }
  /** HTTP error answer (404 when SSE is disabled): the browser gives up (CLOSED). */
  fail(): void {
    this.readyState = 2;
    this.onerror?.(new Event('error'));
  }
  static last(): FakeEventSource {
    return FakeEventSource.all[FakeEventSource.all.length - 1]!;
  }
}

export function makeJob(p: Partial<Job> = {}): Job {
  return {
    id: 'j1', type: 'summarize', status: 'running', created_at: '2026-11-28T10:00:00Z', started_at: '2026-11-28T10:00:00Z',
    completed_at: null, progress: 0, total_items: 3, current_item: null, results: [], error: null,
    metadata: { urls: ['https://www.youtube.com/playlist?list=PLtest'], model: 'gemini-2.5-flash' }, ...p,
  };
}

export function makeVideo(id: string, p: Partial<VideoItem> = {}): VideoItem {
  return {
    type: 'video', video_id: id, title: `Video ${id}`, thumbnail_url: '', summary: `Summary of ${id}`,
    video_url: `https://www.youtube.com/watch?v=${id}`, error: null, channel: 'Chan', duration_seconds: 60,
    model_used: 'gemini-2.5-flash', summarized_at: '2026-11-28T10:00:00Z', source: 'generated', ...p,
  };
}

/** Lets pending promise callbacks run (with fake timers too). */
export async function flush(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

/** An audio element that "plays" at once, for the real player store. */
export class FakeAudio implements AudioLike {
  src = '';
  currentTime = 0;
  duration = NaN;
  playbackRate = 1;
  paused = true;
  private l = new Map<string, (() => void)[]>();
  addEventListener(type: string, fn: () => void) {
    this.l.set(type, [...(this.l.get(type) ?? []), fn]);
  }
  emit(type: string) {
    for (const fn of this.l.get(type) ?? []) fn();
  }
  play = vi.fn(async () => {
    this.paused = false;
    this.duration = 300;
    this.emit('loadedmetadata');
    this.emit('play');
  });
  pause = vi.fn(() => {
    if (this.paused) return;
    this.paused = true;
    this.emit('pause');
  });
}
