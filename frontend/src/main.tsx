import { render } from 'preact';
import { App } from './components/App';
import { ServicesContext } from './components/context';
import { createTransport } from './lib/api';
import { afterFirstFrame, trackStartup } from './lib/startup';
import { createServices, type Services } from './stores/services';
import { applyTheme, createPrefs } from './stores/prefs';
import './styles.css';

// The main script starts (after its imports were evaluated).
const scriptAt = performance.now();

// Nothing may escape as an unhandled rejection: failures live in UI state.
addEventListener('unhandledrejection', (e) => {
  e.preventDefault();
  console.warn('ytsum: unhandled', e.reason);
});

const prefs = createPrefs();
applyTheme(prefs.get().theme);
let services: Services | null = null;
const transport = createTransport(window, {
  onUnauthorized: () => services?.status.set({ ...services.status.get(), needLogin: true }),
});
services = createServices(transport, prefs);

// The window logs when the form was painted and when the first call was answered.
const startup = transport.reportStartup ? trackStartup((m) => transport.reportStartup?.(m), scriptAt) : null;
if (startup) {
  const un = services.status.subscribe((st) => {
    if (st.api || st.error) {
      un();
      startup.answered();
    }
  });
}

render(
  <ServicesContext.Provider value={services}>
    <App />
  </ServicesContext.Provider>,
  document.getElementById('app')!,
);
startup?.rendered();
// The form is usable at once (a submit names no model until the defaults are known); the
// first calls wait until it was painted, so their answers do not hold back the first frame.
afterFirstFrame(() => void services.start());
