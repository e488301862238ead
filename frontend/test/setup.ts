import { afterAll, vi } from 'vitest';

// Preact schedules hook effects after paint with requestAnimationFrame and a
// 100 ms timeout fallback. A file whose last render left one pending would
// have it fire after the jsdom environment is torn down, where
// cancelAnimationFrame no longer exists ("ReferenceError: cancelAnimationFrame
// is not defined", reported as an unhandled error that fails the run). Let
// such timers fire while the environment is still there.
afterAll(async () => {
  if (typeof window === 'undefined') return;
  vi.useRealTimers(); // a file that left fake timers on must not hang here
  await new Promise((r) => setTimeout(r, 120));
});
