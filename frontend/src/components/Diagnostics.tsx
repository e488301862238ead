import { useEffect, useState } from 'preact/hooks';
import { toApiError } from '../lib/api/errors';
import type { JSONObject } from '../lib/api/types';
import { CheckLink } from './CheckLink';
import { useServices } from './context';
import { KeyValue } from './KeyValue';

type Block = { data: JSONObject | null; error: string | null };
const empty: Block = { data: null, error: null };

export function Diagnostics() {
  const s = useServices();
  const [status, setStatus] = useState<Block>(empty);
  const [health, setHealth] = useState<Block>(empty);
  const [perf, setPerf] = useState<Block>(empty);
  const [cache, setCache] = useState<Block>(empty);
  const [at, setAt] = useState<Date | null>(null);

  const get = (fn: () => Promise<JSONObject>, set: (b: Block) => void) =>
    fn().then((data) => set({ data, error: null }), (e: unknown) => set({ data: null, error: toApiError(e).message }));

  const refresh = async () => {
    await Promise.all([
      get(() => s.transport.apiStatus() as Promise<JSONObject>, setStatus),
      get(() => s.transport.systemHealth(), setHealth),
      get(() => s.transport.performanceMetrics(), setPerf),
      get(() => s.transport.cacheStatus(), setCache),
    ]);
    setAt(new Date());
  };
  useEffect(() => void refresh(), []);

  const cleanup = async () => {
    try {
      const r = await s.transport.cacheCleanup();
      s.toasts.show(typeof r.message === 'string' ? r.message : 'Cache cleaned up.', { kind: 'success' });
      void refresh();
    } catch (e) {
      s.toasts.show(toApiError(e).message, { kind: 'error' });
    }
  };

  const health_ = health.data?.status;
  return (
    <div class="diagnostics">
      <div class="row between">
        <h2>Diagnostics</h2>
        <div class="row">
          {at && <span class="muted">Updated {at.toLocaleTimeString()}</span>}
          <button type="button" class="btn btn-small" onClick={() => void refresh()}>Refresh</button>
        </div>
      </div>
      <CheckLink />
      <Panel title="Service status" block={status} />
      <Panel title={`System health${typeof health_ === 'string' ? `: ${health_}` : ''}`} block={health} />
      <Panel title="Performance" block={perf} />
      <Panel title="Audio cache" block={cache}>
        <button type="button" class="btn btn-small" onClick={() => void cleanup()}>Clean up the cache</button>
      </Panel>
    </div>
  );
}

function Panel({ title, block, children }: { title: string; block: Block; children?: preact.ComponentChildren }) {
  return (
    <section class="panel" aria-label={title}>
      <h3>{title}</h3>
      {block.error && <p class="error" role="alert">{block.error}</p>}
      {!block.error && !block.data && <p class="muted">Loading…</p>}
      {block.data && <KeyValue value={block.data} />}
      {children}
    </section>
  );
}
