import { describe, expect, it } from 'vitest';
import { describe as describeURL, extractLinks, withTime } from '../src/lib/urls';

describe('extractLinks', () => {
  it.each([
    ['one per line', 'https://www.youtube.com/watch?v=dQw4w9WgXcQ\nhttps://youtu.be/abcdefghijk', ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'https://youtu.be/abcdefghijk']],
    ['prose with punctuation', 'Watch this (https://www.youtube.com/watch?v=dQw4w9WgXcQ). And https://youtu.be/abcdefghijk, ok?', ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'https://youtu.be/abcdefghijk']],
    ['bare host without scheme', 'see youtube.com/watch?v=dQw4w9WgXcQ', ['https://youtube.com/watch?v=dQw4w9WgXcQ']],
    ['bare video id line', '  dQw4w9WgXcQ  ', ['https://www.youtube.com/watch?v=dQw4w9WgXcQ']],
    ['duplicates once', 'https://youtu.be/abcdefghijk https://youtu.be/abcdefghijk', ['https://youtu.be/abcdefghijk']],
    ['balanced parenthesis kept', 'https://en.wikipedia.org/wiki/Foo_(bar)', ['https://en.wikipedia.org/wiki/Foo_(bar)']],
    ['nothing', 'no links here', []],
  ])('%s', (_name, text, want) => {
    expect(extractLinks(text).map((l) => l.url)).toEqual(want);
  });
});

describe('playlist detection', () => {
  it.each([
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLtest', true, 'dQw4w9WgXcQ', 'PLtest'],
    ['https://www.youtube.com/playlist?list=PLtest', false, undefined, 'PLtest'],
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', false, 'dQw4w9WgXcQ', undefined],
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=WL', false, 'dQw4w9WgXcQ', 'WL'],
    ['https://youtu.be/dQw4w9WgXcQ?list=PLx', true, 'dQw4w9WgXcQ', 'PLx'],
    ['https://www.youtube.com/shorts/dQw4w9WgXcQ', false, 'dQw4w9WgXcQ', undefined],
    ['http://127.0.0.1:9999/watch?v=dQw4w9WgXcQ&list=PLtest', true, 'dQw4w9WgXcQ', 'PLtest'],
  ])('%s', (url, ambiguous, v, list) => {
    const d = describeURL(url);
    expect(d.ambiguous).toBe(ambiguous);
    expect(d.videoId).toBe(v);
    expect(d.playlistId).toBe(list);
  });
});

it('withTime keeps the host and sets t', () => {
  expect(withTime('https://www.youtube.com/watch?v=abc', 90)).toBe('https://www.youtube.com/watch?v=abc&t=90s');
  expect(withTime('not a url', 5)).toBe('not a url');
});

// The shared link table (backend/youtube/testdata/links.json), which the Go
// link splitter is tested against too: the hint splitter finds the same ids.
import links from '../../backend/youtube/testdata/links.json';

describe('shared link table', () => {
  for (const c of links.cases) {
    it(c.name, () => {
      expect(extractLinks(c.in).map((l) => l.videoId ?? l.playlistId)).toEqual(c.ids);
    });
  }
});
