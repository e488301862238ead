import { useMemo } from 'preact/hooks';
import { renderMarkdown } from '../lib/markdown';

/** A summary's Markdown, sanitized, with timestamp links and search highlights. */
export function Summary({ text, videoURL, highlight }: { text: string; videoURL?: string; highlight?: string }) {
  const html = useMemo(
    () => renderMarkdown(text, { ...(videoURL ? { videoURL } : {}), ...(highlight ? { highlight } : {}) }),
    [text, videoURL, highlight],
  );
  return <div class="summary md" dangerouslySetInnerHTML={{ __html: html }} />;
}
