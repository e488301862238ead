/** A link found in pasted text. */
export interface FoundLink {
  url: string;
  videoId?: string;
  playlistId?: string;
  /** Carries both a video and a playlist (watch?v=…&list=…): ask the user. */
  ambiguous: boolean;
  /** A channel link (/@handle, /channel/UC…, /c/NAME, /user/NAME, with or without a tab). */
  channel?: boolean;
}

/** followable: a channel or playlist link (not a video) can be followed. */
export function followable(l: FoundLink): boolean {
  return Boolean(l.channel || (l.playlistId && !l.videoId && !PRIVATE_LISTS.has(l.playlistId)));
}

const ID_RE = /^[A-Za-z0-9_-]{11}$/;
// http(s) URLs, plus bare youtube.com / youtu.be links without a scheme.
// A comma ends a link (YouTube links hold none), as in the Go splitter.
const URL_RE = /\bhttps?:\/\/[^\s<>"'`,]+|\b(?:(?:www|m|music)\.)?(?:youtube\.com|youtube-nocookie\.com|youtu\.be)\/[^\s<>"'`,]+/gi;
const TRAILING = /[)\]}>.,;:!?'"]/;
const count = (s: string, c: string) => s.split(c).length - 1;
// Personal lists that are never worth expanding.
const PRIVATE_LISTS = new Set(['WL', 'LL']);

/**
 * extractLinks finds every link in any blob of text (one per line, or pasted prose),
 * in order, without duplicates. A line that is only an 11-character video id counts too.
 */
export function extractLinks(text: string): FoundLink[] {
  const out: FoundLink[] = [];
  const seen = new Set<string>();
  const add = (raw: string) => {
    let url = raw;
    // Drop sentence punctuation after a link, but keep a balanced closing parenthesis.
    while (url && TRAILING.test(url.slice(-1))) {
      if (url.endsWith(')') && count(url, '(') >= count(url, ')')) break;
      url = url.slice(0, -1);
    }
    if (!/^https?:\/\//i.test(url)) url = 'https://' + url;
    if (seen.has(url)) return;
    seen.add(url);
    out.push(describe(url));
  };
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (ID_RE.test(t)) {
      add(`https://www.youtube.com/watch?v=${t}`);
      continue;
    }
    for (const m of t.matchAll(URL_RE)) add(m[0]);
  }
  return out;
}

/** describe classifies one URL (host-agnostic, so test servers work too). */
export function describe(url: string): FoundLink {
  const link: FoundLink = { url, ambiguous: false };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return link;
  }
  const v = u.searchParams.get('v');
  const list = u.searchParams.get('list');
  const host = u.hostname.replace(/^www\./, '');
  const path = u.pathname.split('/').filter(Boolean);
  if (v && ID_RE.test(v)) link.videoId = v;
  else if (host === 'youtu.be' && path[0] && ID_RE.test(path[0])) link.videoId = path[0];
  else if (path.length >= 2 && ['shorts', 'live', 'embed', 'v', 'e'].includes(path[0]!) && ID_RE.test(path[1]!)) link.videoId = path[1];
  if (list) link.playlistId = list;
  if (!link.videoId && !list && path[0] && host !== 'youtu.be' &&
    (/^@[\w.-]+$/.test(decodeURIComponent(path[0])) || (['channel', 'c', 'user'].includes(path[0]) && path[1]))) link.channel = true;
  link.ambiguous = Boolean(link.videoId && link.playlistId && !PRIVATE_LISTS.has(link.playlistId));
  return link;
}

export function watchURL(videoId: string, seconds?: number): string {
  const t = seconds && seconds > 0 ? `&t=${Math.floor(seconds)}s` : '';
  return `https://www.youtube.com/watch?v=${encodeURIComponent(videoId)}${t}`;
}

/** withTime adds t=…s to a video URL, keeping its host (the item's own video_url). */
export function withTime(videoURL: string, seconds: number): string {
  try {
    const u = new URL(videoURL);
    u.searchParams.set('t', `${Math.floor(seconds)}s`);
    return u.toString();
  } catch {
    return videoURL;
  }
}
