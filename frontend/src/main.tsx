import { render } from 'preact';
import { App } from './components/App';
import { ServicesContext } from './components/context';
import { createTransport } from './lib/api';
import { createServices, type Services } from './stores/services';
import { applyTheme, createPrefs } from './stores/prefs';
import './styles.css';

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

render(
  <ServicesContext.Provider value={services}>
    <App />
  </ServicesContext.Provider>,
  document.getElementById('app')!,
);
void services.start();
