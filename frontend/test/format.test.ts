import { describe, expect, it } from 'vitest';
import { humanize } from '../src/lib/format';

describe('humanize', () => {
  it.each([
    ['google_api_key_set', 'Google API key set'],
    ['openai_api_key_set', 'OpenAI API key set'],
    ['sse_enabled', 'SSE enabled'],
    ['tts_available', 'TTS available'],
    ['memory_rss_mb', 'Memory RSS MB'],
    ['cpu_percent', 'CPU percent'],
    ['ttl_hours', 'TTL hours'],
    ['maxSizeMb', 'Max size MB'],
    ['version', 'Version'],
  ])('%s → %s', (key, want) => {
    expect(humanize(key)).toBe(want);
  });
});
