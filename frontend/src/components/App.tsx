import { useEffect, useState } from 'preact/hooks';
import { useStore } from '../lib/store';
import { applyTheme } from '../stores/prefs';
import { useServices } from './context';
import { Dialog } from './Dialog';
import { useNewCountTitle } from './Follow';
import { lazy } from './lazy';
import { Login } from './Login';
import { PlayerBar } from './PlayerBar';
import { SummarizeForm } from './SummarizeForm';
import { Toasts } from './Toasts';
import { Welcome } from './Welcome';

// The first screen is the Summarize form; the code of everything else loads when it is first
// shown: the Jobs panel just after the form was painted (its cards, with their Markdown
// renderer, once there is a job to show), the other screens when opened.
const JobList = lazy(() => import('./JobList').then((m) => m.JobList));
const Library = lazy(() => import('./Library').then((m) => m.Library));
const Subscriptions = lazy(() => import('./Subscriptions').then((m) => m.Subscriptions));
const Settings = lazy(() => import('./Settings').then((m) => m.Settings));
const Diagnostics = lazy(() => import('./Diagnostics').then((m) => m.Diagnostics));

type Route = 'home' | 'library' | 'subscriptions' | 'settings' | 'diagnostics';
const ROUTES: [Route, string, string][] = [
  ['home', '#/', 'Summarize'],
  ['library', '#/library', 'Library'],
  ['subscriptions', '#/subscriptions', 'Subscriptions'],
  ['settings', '#/settings', 'Settings'],
  ['diagnostics', '#/diagnostics', 'Diagnostics'],
];

function routeOf(hash: string): Route {
  const r = hash.replace(/^#\/?/, '');
  return (['library', 'subscriptions', 'settings', 'diagnostics'] as const).find((x) => x === r) ?? 'home';
}

const SHORTCUTS: [string, string][] = [
  ['k', 'Play or pause'], ['j', 'Back 15 seconds'], ['l', 'Forward 15 seconds'], ['[ and ]', 'Slower / faster'],
  ['n / p', 'Next / previous in the queue'], ['/', 'Search the library'], ['g then s, l, o, d', 'Go to Summarize, Library, Settings, Diagnostics'],
  ['Ctrl+Enter', 'Summarize the pasted links'], ['?', 'This help'],
];

export function App() {
  const s = useServices();
  const prefs = useStore(s.prefs);
  const status = useStore(s.status);
  const announce = useStore(s.announcer);
  const hasSummaries = useStore(s.hasSummaries);
  const [route, setRoute] = useState<Route>(() => routeOf(location.hash));
  const [help, setHelp] = useState(false);
  const newCount = useNewCountTitle();
  // Only whether something is loaded in the player (not every time update) re-renders the shell.
  const [hasPlayer, setHasPlayer] = useState(false);
  useEffect(() => s.player.subscribe((p) => setHasPlayer(p.current !== null)), []);

  useEffect(() => {
    const on = () => setRoute(routeOf(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);

  // The theme is the server's setting; prefs.theme is its cached copy (services keep it in step).
  useEffect(() => {
    applyTheme(prefs.theme);
    if (prefs.theme !== 'system' || typeof matchMedia !== 'function') return;
    const mq = matchMedia('(prefers-color-scheme: dark)');
    const on = () => applyTheme('system');
    mq.addEventListener?.('change', on);
    return () => mq.removeEventListener?.('change', on);
  }, [prefs.theme]);

  // Links marked data-external open in the system browser (window) or a new tab (browser).
  useEffect(() => {
    const on = (e: MouseEvent) => {
      const a = (e.target as Element | null)?.closest?.('a[data-external]') as HTMLAnchorElement | null;
      if (!a || !a.href || e.defaultPrevented) return;
      e.preventDefault();
      s.transport.openExternal(a.href);
    };
    document.addEventListener('click', on);
    return () => document.removeEventListener('click', on);
  }, []);

  // Keyboard shortcuts (not while typing).
  useEffect(() => {
    let g = false;
    const on = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      if (document.querySelector('[role="dialog"]') && e.key !== '?') return;
      const go = (r: string) => { location.hash = r; };
      if (g) {
        g = false;
        const to = { s: '#/', l: '#/library', o: '#/settings', d: '#/diagnostics' }[e.key];
        if (to) { e.preventDefault(); go(to); }
        return;
      }
      const p = s.player;
      const map: Record<string, () => void> = {
        k: () => p.toggle(), j: () => p.skip(-15), l: () => p.skip(15), '[': () => p.changeRate(-1), ']': () => p.changeRate(1),
        n: () => p.next(), p: () => p.previous(), '?': () => setHelp((h) => !h), g: () => { g = true; },
        '/': () => {
          // Its code first, so the search field exists when the screen shows.
          void Library.load().catch(() => {}).then(() => {
            go('#/library');
            setTimeout(() => document.getElementById('lib-search')?.focus(), 0);
          });
        },
      };
      const fn = map[e.key];
      if (fn) {
        e.preventDefault();
        fn();
      }
    };
    document.addEventListener('keydown', on);
    return () => document.removeEventListener('keydown', on);
  }, []);

  useEffect(() => {
    const on = () => s.library.flushDeletes();
    addEventListener('pagehide', on);
    return () => removeEventListener('pagehide', on);
  }, []);

  return (
    <div class={`app${hasPlayer ? ' with-player' : ''}`}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <h1>YouTube Summarizer</h1>
        <nav aria-label="Main">
          {ROUTES.map(([r, href, label]) => (
            <a key={r} href={href} class="tab" aria-current={route === r ? 'page' : undefined}>
              {label}{r === 'subscriptions' && newCount > 0 ? <span class="badge badge-new" aria-label={`${newCount} new`}> {newCount}</span> : null}
            </a>
          ))}
        </nav>
        <button type="button" class="btn-icon" aria-label="Keyboard shortcuts" onClick={() => setHelp(true)}>?</button>
      </header>
      {status.error && !status.needLogin && (
        <p class="banner" role="alert">
          {status.error} <button type="button" class="btn btn-small" onClick={() => void s.start()}>Retry</button>
        </p>
      )}
      <main id="main" tabIndex={-1}>
        {status.needLogin ? <Login /> : (
          <>
            {route === 'home' && <>{hasSummaries === false && <Welcome />}<SummarizeForm explainLockedKeychain={hasSummaries === true} /><JobList /></>}
            {route === 'library' && <Library />}
            {route === 'subscriptions' && <Subscriptions />}
            {route === 'settings' && <Settings />}
            {route === 'diagnostics' && <Diagnostics />}
          </>
        )}
      </main>
      <PlayerBar />
      <Toasts />
      <div class="sr-only" aria-live="polite" aria-atomic="true" role="status">{announce}</div>
      {help && (
        <Dialog title="Keyboard shortcuts" onClose={() => setHelp(false)}>
          <dl class="kv">
            {SHORTCUTS.map(([k, d]) => <div key={k} class="kv-row"><dt><kbd>{k}</kbd></dt><dd>{d}</dd></div>)}
          </dl>
          <button type="button" class="btn" onClick={() => setHelp(false)}>Close</button>
        </Dialog>
      )}
    </div>
  );
}
