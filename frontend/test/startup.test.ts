import { afterFirstFrame, browserClock, trackStartup, type StartupClock } from '../src/lib/startup';
import type { StartupMarks } from '../src/lib/api/transport';

function fakeClock() {
  let t = 0;
  const frames: (() => void)[] = [];
  const clock: StartupClock = {
    now: () => t,
    timeOrigin: 1_000_000.4,
    frame: (fn) => frames.push(fn),
    loaded: () => ({ html: 40, bundle: 90 }),
  };
  return { clock, at: (ms: number) => { t = ms; }, paint: () => frames.splice(0).forEach((f) => f()) };
}

describe('trackStartup', () => {
  it('reports the form at the frame after the render, then the first answer', () => {
    const c = fakeClock();
    const got: StartupMarks[] = [];
    const st = trackStartup((m) => got.push(m), 120.6, c.clock);
    c.at(150);
    st.rendered();
    expect(got).toEqual([]); // not painted yet
    c.at(210);
    c.paint();
    expect(got).toEqual([{ stage: 'form', time_origin: 1_000_000, html: 40, bundle: 90, script: 121, render: 150, paint: 210, answered: 0 }]);
    c.at(300);
    st.answered();
    st.answered(); // once
    expect(got.map((m) => [m.stage, m.answered])).toEqual([['form', 0], ['answered', 300]]);
  });

  it('an answer before the paint is reported after the form, in both reports', () => {
    const c = fakeClock();
    const got: StartupMarks[] = [];
    const st = trackStartup((m) => got.push(m), 100, c.clock);
    c.at(130);
    st.rendered();
    c.at(180);
    st.answered();
    expect(got).toEqual([]);
    c.at(260);
    c.paint();
    expect(got.map((m) => [m.stage, m.paint, m.answered])).toEqual([['form', 260, 180], ['answered', 260, 180]]);
  });
});

describe('afterFirstFrame', () => {
  // Set up and torn down here, so a failing assertion cannot leave fake timers or the stub behind.
  let raf: ReturnType<typeof vi.fn<(cb: FrameRequestCallback) => number>>;
  beforeEach(() => {
    vi.useFakeTimers();
    raf = vi.fn<(cb: FrameRequestCallback) => number>(() => 0);
    vi.stubGlobal('requestAnimationFrame', raf);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('runs once, after the next frame', () => {
    const fn = vi.fn();
    afterFirstFrame(fn);
    expect(fn).not.toHaveBeenCalled();
    raf.mock.calls[0]![0](0);
    vi.advanceTimersByTime(0);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(200); // the fallback does not run it again
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('runs after 100 ms when no frame comes (a tab in the background)', () => {
    const fn = vi.fn();
    afterFirstFrame(fn);
    expect(raf).toHaveBeenCalledTimes(1); // asked for a frame that never comes
    vi.advanceTimersByTime(99);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    vi.advanceTimersByTime(1); // then a task of its own (a 0 ms timer waits 1 ms)
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe('browserClock.loaded', () => {
  afterEach(() => vi.restoreAllMocks());

  const entries = (resources: Partial<PerformanceResourceTiming>[]) =>
    vi.spyOn(performance, 'getEntriesByType').mockImplementation(((type: string) =>
      type === 'navigation' ? [{ responseEnd: 40.4 }] : type === 'resource' ? resources : []) as typeof performance.getEntriesByType);

  it('takes the bundle by its name, not the first script (Wails injects /wails/ipc.js before it)', () => {
    entries([
      { name: 'http://wails.localhost/wails/ipc.js', initiatorType: 'script', responseEnd: 12 },
      { name: 'http://wails.localhost/wails/runtime.js', initiatorType: 'script', responseEnd: 15 },
      { name: 'http://wails.localhost/assets/index-Bx9_q2Lm.js', initiatorType: 'script', responseEnd: 90.6 },
    ]);
    expect(browserClock.loaded()).toEqual({ html: 40, bundle: 91 });
  });

  it('says 0 for the bundle when no entry is the bundle', () => {
    entries([{ name: 'http://wails.localhost/wails/ipc.js', initiatorType: 'script', responseEnd: 12 }]);
    expect(browserClock.loaded()).toEqual({ html: 40, bundle: 0 });
  });
});
