import { createStore, type Store } from '../lib/store';

export interface Toast {
  id: number;
  message: string;
  kind: 'info' | 'success' | 'error';
  action?: { label: string; run: () => void };
}

export interface ToastStore extends Store<Toast[]> {
  show(message: string, opts?: { kind?: Toast['kind']; action?: Toast['action']; timeoutMs?: number }): number;
  dismiss(id: number): void;
}

/** Toast notifications; errors stay until dismissed, others leave after a timeout. */
export function createToasts(): ToastStore {
  const s = createStore<Toast[]>([]);
  let next = 1;
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  const dismiss = (id: number) => {
    const t = timers.get(id);
    if (t !== undefined) clearTimeout(t);
    timers.delete(id);
    s.set((l) => l.filter((x) => x.id !== id));
  };
  return {
    ...s,
    dismiss,
    show(message, opts = {}) {
      const id = next++;
      const toast: Toast = { id, message, kind: opts.kind ?? 'info' };
      if (opts.action) toast.action = opts.action;
      // The same message again replaces the one on screen instead of stacking copies.
      for (const old of s.get()) if (old.message === message && old.kind === toast.kind && !old.action) dismiss(old.id);
      s.set((l) => [...l.slice(-4), toast]);
      const ms = opts.timeoutMs ?? (toast.kind === 'error' ? 0 : 5000);
      if (ms > 0) timers.set(id, setTimeout(() => dismiss(id), ms));
      return id;
    },
  };
}
