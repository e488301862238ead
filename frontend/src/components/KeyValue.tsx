import { humanize } from '../lib/format';

/** Renders any JSON value as nested definition lists (diagnostics, status panels). */
export function KeyValue({ value, depth = 0 }: { value: unknown; depth?: number }) {
  if (value === null || value === undefined) return <span class="muted">—</span>;
  if (typeof value === 'boolean') return <span class={value ? 'ok' : 'muted'}>{value ? 'yes' : 'no'}</span>;
  if (typeof value === 'number') return <span>{Number.isInteger(value) ? value : value.toFixed(3)}</span>;
  if (typeof value === 'string') return <span class="kv-str">{value}</span>;
  if (Array.isArray(value)) {
    if (!value.length) return <span class="muted">none</span>;
    if (value.every((v) => typeof v !== 'object' || v === null)) return <span>{value.map(String).join(', ')}</span>;
    return (
      <ol class="kv-list">
        {value.map((v, i) => <li key={i}><KeyValue value={v} depth={depth + 1} /></li>)}
      </ol>
    );
  }
  if (depth > 4) return <code>{JSON.stringify(value)}</code>;
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.length) return <span class="muted">empty</span>;
  return (
    <dl class="kv">
      {entries.map(([k, v]) => (
        <div key={k} class="kv-row">
          <dt>{humanize(k)}</dt>
          <dd><KeyValue value={v} depth={depth + 1} /></dd>
        </div>
      ))}
    </dl>
  );
}
