import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { withTime } from './urls';

const TS_RE = /\[(?:(\d{1,2}):)?(\d{1,2}):(\d{2})\]/g;

export interface RenderOptions {
  /** The video the summary belongs to; [mm:ss] become links to it at that time. */
  videoURL?: string;
  /** Words to <mark> (the library search). */
  highlight?: string;
}

let hooked = false;
function purifier(): typeof DOMPurify {
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        const href = node.getAttribute('href') ?? '';
        if (!/^(https?:|mailto:)/i.test(href)) node.removeAttribute('href');
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
        node.setAttribute('data-external', '');
      }
    });
  }
  return DOMPurify;
}

/**
 * renderMarkdown turns summary Markdown into safe HTML: marked, then DOMPurify (no
 * scripts, handlers, styles, forms, frames or remote images), then [mm:ss] timestamps
 * become links that open the video at that moment and search words are highlighted.
 * The result is safe to assign to innerHTML.
 */
export function renderMarkdown(md: string, opts: RenderOptions = {}): string {
  const raw = marked.parse(md ?? '', { async: false, gfm: true, breaks: true }) as string;
  const clean = purifier().sanitize(raw, {
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'img', 'svg', 'math', 'video', 'audio', 'source'],
    FORBID_ATTR: ['style', 'srcset', 'action', 'formaction'],
    ALLOW_DATA_ATTR: false,
  });
  if (!opts.videoURL && !opts.highlight) return clean;
  const tpl = document.createElement('template');
  tpl.innerHTML = clean;
  if (opts.videoURL) linkTimestamps(tpl.content, opts.videoURL);
  if (opts.highlight) highlightTerms(tpl.content, opts.highlight);
  return tpl.innerHTML;
}

/** Seconds of "[1:02:03]" style text, or null. */
export function parseTimestamp(text: string): number | null {
  const m = /^\[?(?:(\d{1,2}):)?(\d{1,2}):(\d{2})\]?$/.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1] ?? 0), mi = Number(m[2]), s = Number(m[3]);
  if (s >= 60 || (m[1] !== undefined && mi >= 60)) return null;
  return h * 3600 + mi * 60 + s;
}

function textNodes(root: Node, skip: (el: Element) => boolean): Text[] {
  const out: Text[] = [];
  const walk = (n: Node) => {
    for (const c of Array.from(n.childNodes)) {
      if (c.nodeType === 3) out.push(c as Text);
      else if (c.nodeType === 1 && !skip(c as Element)) walk(c);
    }
  };
  walk(root);
  return out;
}

/** Replaces matches in text nodes with elements made by make(); never parses HTML. */
function replaceIn(node: Text, re: RegExp, make: (m: RegExpExecArray) => Node | null): void {
  const text = node.data;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  let last = 0;
  const frag = document.createDocumentFragment();
  let changed = false;
  while ((m = re.exec(text))) {
    if (m[0] === '') {
      re.lastIndex++;
      continue;
    }
    const el = make(m);
    if (!el) continue;
    changed = true;
    if (m.index > last) frag.appendChild(document.createTextNode(text.slice(last, m.index)));
    frag.appendChild(el);
    last = m.index + m[0].length;
  }
  if (!changed) return;
  if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
  node.replaceWith(frag);
}

export function linkTimestamps(root: Node, videoURL: string): void {
  for (const t of textNodes(root, (el) => el.tagName === 'A' || el.tagName === 'CODE' || el.tagName === 'PRE')) {
    replaceIn(t, TS_RE, (m) => {
      const secs = parseTimestamp(m[0]);
      if (secs === null) return null;
      const a = document.createElement('a');
      a.className = 'ts';
      a.href = withTime(videoURL, secs);
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.setAttribute('data-external', '');
      a.setAttribute('data-seconds', String(secs));
      a.textContent = m[0];
      a.title = `Open the video at ${m[0].slice(1, -1)}`;
      return a;
    });
  }
}

export function highlightRegExp(query: string): RegExp | null {
  const words = query
    .split(/\s+/)
    .map((w) => w.replace(/^["'(]+|["')]+$/g, ''))
    .filter((w) => w.length >= 2)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!words.length) return null;
  return new RegExp(`(${words.join('|')})`, 'gi');
}

export function highlightTerms(root: Node, query: string): void {
  const re = highlightRegExp(query);
  if (!re) return;
  for (const t of textNodes(root, (el) => el.tagName === 'MARK')) {
    replaceIn(t, re, (m) => {
      const mark = document.createElement('mark');
      mark.textContent = m[0];
      return mark;
    });
  }
}

/** Sanitizes a server search snippet: only <mark> and simple emphasis survive. */
export function sanitizeSnippet(html: string): string {
  return purifier().sanitize(html, { ALLOWED_TAGS: ['mark', 'b', 'strong', 'em', 'i'], ALLOWED_ATTR: [] });
}

/** Plain text with matches marked, as safe HTML (for titles). */
export function highlightText(text: string, query: string): string {
  const span = document.createElement('span');
  span.textContent = text;
  if (query) highlightTerms(span, query);
  return span.innerHTML;
}
