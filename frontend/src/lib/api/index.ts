import { HttpTransport, type HttpOptions } from './http';
import type { Transport } from './transport';
import { WailsTransport, boundApp, type WailsRuntime } from './wails';

export type { Transport } from './transport';
export * from './types';
export { ApiError } from './errors';

interface WailsWindow {
  go?: { main?: { App?: object } };
  runtime?: WailsRuntime;
}

/**
 * createTransport picks the implementation once, at start: the Wails bindings when
 * window.go.main.App exists (inside the desktop window), else HTTP to the page's origin.
 */
export function createTransport(win: Window = window, http: HttpOptions = {}): Transport {
  const w = win as unknown as WailsWindow;
  const app = w.go?.main?.App;
  if (app) return new WailsTransport(boundApp, w.runtime);
  return new HttpTransport(http);
}
