import type { ComponentType, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** A component whose code loads on first use (a chunk of its own), and load() to fetch it early. */
export type Lazy<P> = ((props: P) => JSX.Element | null) & { load(): Promise<ComponentType<P>> };

/** Reloads the page (the window or the tab): the way to fetch a chunk again after a failed load. Tests replace it. */
export const page = { reload: (): void => location.reload() };

/**
 * lazy makes a component whose module is imported the first time it is rendered (or load() is
 * called), so the first screen does not load and parse the code of the others. It renders
 * nothing until the module is in (a few ms from the app's own files), and a sentence with a Reload
 * button when the import failed (showing it again also tries again).
 */
export function lazy<P extends object>(importer: () => Promise<ComponentType<P>>): Lazy<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  const load = () => {
    pending ??= importer().then((c) => (loaded = c), (e: unknown) => {
      pending = null;
      throw e;
    });
    return pending;
  };
  function LazyComponent(props: P) {
    const [C, setC] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (C) return;
      let live = true;
      load().then((c) => { if (live) setC(() => c); }, () => { if (live) setFailed(true); });
      return () => { live = false; };
    }, []);
    if (C) return <C {...props} />;
    return failed ? (
      <p class="error" role="alert">
        This part of the app did not load.{' '}
        <button type="button" class="btn btn-small" onClick={() => page.reload()}>Reload</button>
      </p>
    ) : null;
  }
  return Object.assign(LazyComponent, { load });
}
