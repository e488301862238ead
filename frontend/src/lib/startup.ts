import type { StartupMarks } from './api/transport';

/** The clock and frame scheduling the start-up marks use (tests pass fakes). */
export interface StartupClock {
  now(): number;
  timeOrigin: number;
  frame(fn: () => void): void;
  /**
   * responseEnd of the document and of the main script (the bundle, assets/index-….js, found by
   * its name: Wails injects its own scripts first), when the browser keeps them (0: unknown).
   */
  loaded(): { html: number; bundle: number };
}

/** The main script's address (vite's build names it assets/index-<hash>.js). */
const BUNDLE = /\/assets\/index-[^/]*\.js$/;

export const browserClock: StartupClock = {
  now: () => performance.now(),
  timeOrigin: typeof performance !== 'undefined' ? performance.timeOrigin : 0,
  frame: (fn) => requestAnimationFrame(() => setTimeout(fn, 0)),
  loaded() {
    const nav = performance.getEntriesByType?.('navigation')[0] as PerformanceNavigationTiming | undefined;
    const script = (performance.getEntriesByType?.('resource') as PerformanceResourceTiming[] | undefined)
      ?.find((r) => BUNDLE.test(r.name));
    return { html: Math.round(nav?.responseEnd ?? 0), bundle: Math.round(script?.responseEnd ?? 0) };
  },
};

/**
 * trackStartup reports the page's start (the window only: the service logs it for
 * scripts/bench-window.sh). Call rendered() right after the first render: the form counts as
 * usable at the first frame after it (stage "form"); answered() when the first call to the
 * service was answered (stage "answered", sent after the form's report). scriptAt is when the
 * main script started.
 */
export function trackStartup(report: (m: StartupMarks) => void, scriptAt: number, clock: StartupClock = browserClock) {
  const m: StartupMarks = { stage: 'form', time_origin: Math.round(clock.timeOrigin), html: 0, bundle: 0, script: Math.round(scriptAt), render: 0, paint: 0, answered: 0 };
  let answeredSent = false;
  const sendAnswered = () => {
    if (answeredSent || !m.paint || !m.answered) return;
    answeredSent = true;
    report({ ...m, stage: 'answered' });
  };
  return {
    rendered() {
      if (m.render) return;
      m.render = Math.round(clock.now());
      clock.frame(() => {
        m.paint = Math.round(clock.now());
        Object.assign(m, clock.loaded());
        report({ ...m });
        sendAnswered();
      });
    },
    answered() {
      if (m.answered) return;
      m.answered = Math.round(clock.now());
      sendAnswered();
    },
  };
}

/**
 * afterFirstFrame runs fn once the frame after now was painted (a task after the next animation
 * frame), or after 100 ms where no frame comes (a tab in the background).
 */
export function afterFirstFrame(fn: () => void): void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    clearTimeout(fallback);
    setTimeout(fn, 0);
  };
  const fallback = setTimeout(run, 100);
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
}
