import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../src/lib/api/types';
import { canRetry, isGeminiModel } from '../src/lib/retry';

const models: ModelInfo[] = [
  { key: 'gemini-2.5-flash', provider: 'gemini', display_name: 'Gemini 2.5 Flash', available: true },
  { key: 'gpt-5-mini', provider: 'openai', display_name: 'GPT-5 mini', available: false },
  { key: 'local', provider: 'local', display_name: 'Built-in', available: true },
];

describe('canRetry', () => {
  it.each([
    ['rate_limited', true], ['offline', true], ['blocked', true], ['overloaded', true], ['cancelled', true],
    ['internal', true], ['something_new', true], [undefined, true], ['', true],
    ['video_private', false], ['video_unavailable', false], ['video_unplayable', false], ['age_restricted', false],
    ['not_youtube', false], ['invalid_link', false], ['invalid_url', false], ['invalid_id', false],
    ['unsupported_link', false], ['Video_Private', false],
  ] as const)('%s → %s', (kind, want) => {
    expect(canRetry(kind, 'local', models)).toBe(want);
  });

  it('no transcripts: only a Gemini model can help', () => {
    expect(canRetry('transcripts_disabled', 'gemini-2.5-flash', models)).toBe(true);
    expect(canRetry('transcripts_disabled', 'gpt-5-mini', models)).toBe(false);
    expect(canRetry('transcripts_disabled', 'local', models)).toBe(false);
    expect(canRetry('transcripts_disabled', '', models)).toBe(false);
    expect(canRetry('no_transcript', 'gemini-3-pro', [])).toBe(true); // unlisted: judged by name
  });

  it('isGeminiModel prefers the listed provider over the name', () => {
    expect(isGeminiModel('gemini-2.5-flash', models)).toBe(true);
    expect(isGeminiModel('my-gemini-proxy', [{ key: 'my-gemini-proxy', provider: 'openai', display_name: '', available: true }])).toBe(false);
    expect(isGeminiModel('llama3', models)).toBe(false);
  });
});
