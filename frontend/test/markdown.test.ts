import { describe, expect, it } from 'vitest';
import { highlightText, parseTimestamp, renderMarkdown, sanitizeSnippet } from '../src/lib/markdown';

const frag = (html: string) => {
  const t = document.createElement('template');
  t.innerHTML = html;
  return t.content;
};

describe('renderMarkdown sanitizes', () => {
  it.each([
    ['script tag', 'hi <script>alert(1)</script>', 'script'],
    ['onerror handler', '<img src=x onerror="alert(1)">', 'onerror'],
    ['javascript link', '[x](javascript:alert(1))', 'javascript:'],
    ['inline handler on div', '<div onclick="alert(1)">x</div>', 'onclick'],
    ['iframe', '<iframe src="https://evil"></iframe>', 'iframe'],
    ['style', '<style>body{display:none}</style>', '<style'],
    ['svg onload', '<svg onload=alert(1)>', 'onload'],
  ])('%s', (_n, md, bad) => {
    const html = renderMarkdown(md);
    expect(html.toLowerCase()).not.toContain(bad);
  });

  it('keeps Markdown structure', () => {
    const f = frag(renderMarkdown('# Title\n\n- **bold** item\n- `code`'));
    expect(f.querySelector('h1')?.textContent).toBe('Title');
    expect(f.querySelectorAll('li')).toHaveLength(2);
    expect(f.querySelector('strong')?.textContent).toBe('bold');
  });

  it('external links open safely', () => {
    const a = frag(renderMarkdown('[site](https://example.com)')).querySelector('a')!;
    expect(a.getAttribute('target')).toBe('_blank');
    expect(a.getAttribute('rel')).toContain('noopener');
    expect(a.hasAttribute('data-external')).toBe(true);
  });
});

describe('timestamps', () => {
  it.each([
    ['[0:30]', 30], ['[12:34]', 754], ['[1:02:03]', 3723], ['[99:99]', null], ['[1:60:00]', null], ['12:34', 754],
  ])('parse %s', (s, want) => expect(parseTimestamp(s)).toBe(want));

  it('become links to the video at that time', () => {
    const f = frag(renderMarkdown('Intro at [0:30], deep dive [1:02:03].', { videoURL: 'https://www.youtube.com/watch?v=abcdefghijk' }));
    const links = [...f.querySelectorAll('a.ts')] as HTMLAnchorElement[];
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      'https://www.youtube.com/watch?v=abcdefghijk&t=30s',
      'https://www.youtube.com/watch?v=abcdefghijk&t=3723s',
    ]);
    expect(links[0]!.textContent).toBe('[0:30]');
  });

  it('are not linked inside code', () => {
    const f = frag(renderMarkdown('`[0:30]`', { videoURL: 'https://www.youtube.com/watch?v=abcdefghijk' }));
    expect(f.querySelector('a.ts')).toBeNull();
  });

  it('timestamp text cannot inject HTML', () => {
    const html = renderMarkdown('&lt;img src=x onerror=alert(1)&gt; [0:01]', { videoURL: 'https://www.youtube.com/watch?v=abcdefghijk' });
    expect(frag(html).querySelector('img')).toBeNull();
  });
});

describe('highlight', () => {
  it('marks words in text, not in tags', () => {
    const f = frag(renderMarkdown('The banana is **yellow** banana.', { highlight: 'banana' }));
    expect([...f.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['banana', 'banana']);
  });
  it('escapes the query and title', () => {
    expect(highlightText('<b>AT&T</b>', 'AT&T')).toBe('&lt;b&gt;<mark>AT&amp;T</mark>&lt;/b&gt;');
    expect(highlightText('a.b', '.')).toBe('a.b');
  });
  it('sanitizes server snippets down to <mark>', () => {
    expect(sanitizeSnippet('x <mark>y</mark><img src=x onerror=alert(1)><script>1</script>')).toBe('x <mark>y</mark>');
  });
});
