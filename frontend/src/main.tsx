import { render } from 'preact';
import { App } from './components/App';
import { ServicesContext } from './components/context';
import { createTransport } from './lib/api';
import { trackStartup } from './lib/startup';
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
void services.start();
// DEBUG (temporary)
const dbg = (stage: string) => transport.reportStartup?.({ stage: stage as 'form', time_origin: 0, html: 0, bundle: 0, script: 0, render: 0, paint: Math.round(performance.now()), answered: 0 });
dbg('dbg-after-start');
requestAnimationFrame(() => { dbg('dbg-raf1'); setTimeout(() => dbg('dbg-raf1-t0'), 0); const mc = new MessageChannel(); mc.port1.onmessage = () => dbg('dbg-raf1-msg'); mc.port2.postMessage(0); requestAnimationFrame(() => dbg('dbg-raf2')); });
setTimeout(() => dbg('dbg-timeout0'), 0);
addEventListener('load', () => dbg('dbg-load'));
document.addEventListener('DOMContentLoaded', () => dbg('dbg-dcl'));
