import { describe, expect, it } from 'vitest';
import { backoff } from '../src/lib/backoff';

describe('backoff', () => {
  it('doubles from 1 s with each failure, up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoff(n, 15_000))).toEqual([1000, 1000, 2000, 4000, 8000, 15_000, 15_000]);
    expect(backoff(40, 30_000)).toBe(30_000);
  });
});
