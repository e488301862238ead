/**
 * backoff: how long to wait (ms) before trying again after n failures in a row: 1 s, 2 s, 4 s, …
 * doubling up to cap. n below 1 counts as 1.
 */
export function backoff(n: number, cap: number): number {
  return Math.min(cap, 1000 * 2 ** Math.max(0, n - 1));
}
