/** m:ss or h:mm:ss for a number of seconds. */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
  const s = Math.floor(seconds % 60);
  const m = Math.floor((seconds / 60) % 60);
  const h = Math.floor(seconds / 3600);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** "about 3 min", "45 s" — for estimates. */
export function roughDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

export function shortDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** Turns "openai_api_key" / "ttsVoice" into "Openai api key" / "Tts voice". */
/** Words that keep their own spelling in labels made from JSON keys. */
const WORDS: Record<string, string> = {
  api: 'API', sse: 'SSE', tts: 'TTS', cpu: 'CPU', mb: 'MB', gb: 'GB', kb: 'KB', ttl: 'TTL', url: 'URL', id: 'ID',
  http: 'HTTP', llm: 'LLM', rss: 'RSS', openai: 'OpenAI', youtube: 'YouTube', json: 'JSON', rfc3339: 'RFC 3339',
};

export function humanize(key: string): string {
  const s = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_.-]+/g, ' ').trim().toLowerCase();
  const out = s.split(' ').map((w) => WORDS[w] ?? w).join(' ');
  return out.charAt(0).toUpperCase() + out.slice(1);
}

export function safeFilename(s: string): string {
  return s.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 100) || 'summary';
}
