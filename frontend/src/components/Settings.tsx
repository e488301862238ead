import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, toApiError } from '../lib/api/errors';
import type { JSONObject, ModelInfo, VoicesResponse } from '../lib/api/types';
import { CUSTOM_MODEL, groupModels, modelLabel, modelPickerState } from '../lib/models';
import { coerce, normalizeSettings, validate, type FieldSpec, type NormalizedSettings } from '../lib/settings';
import { roughDuration } from '../lib/format';
import { useStore } from '../lib/store';
import type { ConnectionMethod, ProcessingMode } from '../lib/api/transport';
import { useServices } from './context';
import { KeyValue } from './KeyValue';

/** A part of the settings page that is not a schema group (or sits under one). */
interface Extra {
  id: string;
  label: string;
  /** The schema group it is shown under; when the schema has no such group it gets its own entry. */
  under?: string;
  render(): preact.JSX.Element | null;
}

/**
 * The settings page: a section index (the schema's groups, then the parts that are not
 * settings) beside one section at a time, and a filter over every setting's label.
 */
export function Settings() {
  const s = useServices();
  const extras: Extra[] = [
    ...(s.transport.capabilities.connectionChoice ? [{ id: 'connection', label: 'Connection', render: () => <Connection /> }] : []),
    { id: 'local', label: 'Local AI servers', under: 'Summaries and models', render: () => <LocalServers /> },
    { id: 'voice', label: 'Voice', under: 'Voice and audio', render: () => <Voices /> },
    { id: 'token', label: 'API token', under: 'HTTP server and login', render: () => <ApiToken /> },
    { id: 'data', label: 'Import and backups', render: () => <><ImportExport /><Backups /></> },
  ];
  return (
    <div class="settings">
      <h2>Settings</h2>
      <ServerSettings extras={extras} />
    </div>
  );
}

function Radios<T extends string>({ name, legend, value, options, onChange }: {
  name: string; legend: string; value: T; options: [T, string, string?][]; onChange(v: T): void;
}) {
  return (
    <fieldset class="radios">
      <legend>{legend}</legend>
      {options.map(([v, label, help]) => (
        <label key={v} class="radio">
          <input type="radio" name={name} value={v} checked={value === v} onChange={() => onChange(v)} />
          <span>{label}{help && <small class="muted"> — {help}</small>}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** A secret's name as a person says it: "gemini_api_key" → "Gemini API key". */
export function secretLabel(name: string): string {
  const words = name.split('_').map((w) => (w === 'api' ? 'API' : w === 'tts' ? 'TTS' : w === 'openai' ? 'OpenAI' : w));
  const s = words.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The local LLM servers the service found by itself, each with its state. */
function LocalServers() {
  const s = useServices();
  const servers = useStore(s.status).api?.local_servers ?? [];
  if (!servers.length) return null;
  return (
    <section class="panel" aria-labelledby="set-local">
      <h3 id="set-local">Local AI servers</h3>
      <ul class="local-servers">
        {servers.map((v) => (
          <li key={v.id}>
            <strong>{v.name}</strong> at {v.base_url}:{' '}
            {v.up ? `${v.models} model${v.models === 1 ? '' : 's'}, no key needed` : (v.problem || 'not running')}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Connection() {
  const { prefs } = useServices();
  const p = useStore(prefs);
  return (
    <section class="panel" aria-labelledby="set-conn">
      <h3 id="set-conn">Connection</h3>
      <Radios<ConnectionMethod> name="conn" legend="Live updates" value={p.connection} onChange={(connection) => prefs.update({ connection })}
        options={[
          ['auto', 'Automatic', 'real-time, falling back to periodic checks when the stream fails or goes quiet'],
          ['realtime', 'Real-time', 'server-sent events only, reconnecting when dropped'],
          ['periodic', 'Periodic', 'check every 2 seconds'],
        ]} />
      <Radios<ProcessingMode> name="proc" legend="Processing" value={p.processing} onChange={(processing) => prefs.update({ processing })}
        options={[
          ['async', 'Always as a job (recommended)', 'progress, cancel and live text for everything'],
          ['auto', 'Let the server decide', 'one video answers at once, several or a playlist run as a job'],
          ['sync', 'Always wait for the answer', 'no progress or cancel'],
        ]} />
    </section>
  );
}

/**
 * The default model: the service's models grouped by provider (those without a key say so),
 * and "Other…" for any name a local or compatible server knows.
 */
function ModelField({ id, value, models, disabled, describedBy, invalid, onChange }: {
  id: string; value: string; models: ModelInfo[]; disabled: boolean; describedBy: string | undefined; invalid: boolean; onChange(v: string): void;
}) {
  const [customChosen, setCustomChosen] = useState(false);
  const st = modelPickerState(models, value, customChosen);
  const customRef = useRef<HTMLInputElement>(null);
  return (
    <div class="model-field">
      <select id={id} value={st.select} disabled={disabled} aria-describedby={describedBy} aria-invalid={invalid && !st.custom ? 'true' : 'false'}
        onChange={(e) => {
          const v = e.currentTarget.value;
          if (v === CUSTOM_MODEL) {
            setCustomChosen(true);
            setTimeout(() => { customRef.current?.focus(); customRef.current?.select(); }, 0);
          } else {
            setCustomChosen(false);
            onChange(v);
          }
        }}>
        <option value="">Automatic — your Gemini or OpenAI key, else a local server, else offline</option>
        {groupModels(models).map(([g, ms]) => (
          <optgroup key={g} label={g}>
            {ms.map((m) => <option key={m.key} value={m.key}>{modelLabel(m)}</option>)}
          </optgroup>
        ))}
        <option value={CUSTOM_MODEL}>Other (type a model name)…</option>
      </select>
      {st.custom && (
        <input id={`${id}-custom`} ref={customRef} type="text" value={value} disabled={disabled} spellcheck={false} autoComplete="off"
          aria-label="Model name" placeholder="e.g. llama3.1:8b" aria-describedby={describedBy} aria-invalid={invalid ? 'true' : 'false'}
          onInput={(e) => { setCustomChosen(true); onChange(e.currentTarget.value); }} />
      )}
    </div>
  );
}

function FieldInput({ f, value, error, models, onChange, onSecret }: {
  f: FieldSpec; value: unknown; error?: string | undefined; models: ModelInfo[]; onChange(v: unknown): void; onSecret(v: string | null): void;
}) {
  const id = `fld-${f.name}`;
  const [replacing, setReplacing] = useState(false);
  const [secret, setSecret] = useState('');
  const help = [f.help, f.env ? 'Set by environment; change it there.' : ''].filter(Boolean).join(' ');
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  const disabled = f.env || f.readOnly;
  // The restart marker; the help text says the same in words for screen readers.
  const marker = f.restart && (
    <span class={`badge badge-restart${f.restartPending ? ' badge-pending' : ''}`} aria-hidden="true"
      title={f.restartPending ? 'Changed: restart the app to apply it' : 'Applies after a restart'}>
      {f.restartPending ? 'restart pending' : 'restart'}
    </span>
  );
  let input;
  if (f.type === 'secret') {
    input = (
      <div class="secret">
        <span class={f.secret?.set ? 'ok' : 'muted'} id={`${id}-state`}>
          {f.secret?.set ? `Set${f.secret.last4 ? ` (…${f.secret.last4})` : ''}` : 'Not set'}
        </span>
        {!disabled && !replacing && (
          <>
            <button type="button" class="btn btn-small" aria-label={`${f.secret?.set ? 'Replace' : 'Set'} ${f.label}`} onClick={() => setReplacing(true)}>{f.secret?.set ? 'Replace' : 'Set'}</button>
            {f.secret?.set && (
              <button type="button" class="btn btn-small btn-danger" aria-label={`Delete ${f.label}`}
                onClick={() => confirm(`Delete the saved ${f.label}?`) && onSecret(null)}>Delete</button>
            )}
          </>
        )}
        {replacing && (
          <>
            <input id={id} type="password" autoComplete="off" value={secret} aria-describedby={describedBy} aria-invalid={error ? 'true' : 'false'}
              onInput={(e) => setSecret(e.currentTarget.value)} />
            <button type="button" class="btn btn-small btn-primary" aria-label={`Save ${f.label}`} disabled={!secret} onClick={() => { onSecret(secret); setSecret(''); setReplacing(false); }}>Save</button>
            <button type="button" class="btn btn-small btn-quiet" onClick={() => { setSecret(''); setReplacing(false); }}>Cancel</button>
          </>
        )}
      </div>
    );
  } else if (f.name === 'default_model' && models.length) {
    input = <ModelField id={id} value={String(value ?? '')} models={models} disabled={disabled} describedBy={describedBy} invalid={Boolean(error)}
      onChange={(v) => onChange(v)} />;
  } else if (f.type === 'bool') {
    input = <input id={id} type="checkbox" checked={Boolean(value)} disabled={disabled} aria-describedby={describedBy} onChange={(e) => onChange(e.currentTarget.checked)} />;
  } else if (f.type === 'select') {
    input = (
      <select id={id} value={String(value ?? '')} disabled={disabled} aria-describedby={describedBy} aria-invalid={error ? 'true' : 'false'} onChange={(e) => onChange(e.currentTarget.value)}>
        {f.options?.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    );
  } else if (f.type === 'textarea' || f.type === 'list') {
    const v = Array.isArray(value) ? value.join('\n') : String(value ?? '');
    input = <textarea id={id} rows={f.type === 'list' ? 3 : 5} value={v} disabled={disabled} aria-describedby={describedBy} aria-invalid={error ? 'true' : 'false'} onInput={(e) => onChange(e.currentTarget.value)} />;
  } else {
    input = (
      <input id={id} type={f.type === 'number' ? 'number' : 'text'} value={value === undefined || value === null ? '' : String(value)} disabled={disabled}
        {...(f.min !== undefined ? { min: f.min } : {})} {...(f.max !== undefined ? { max: f.max } : {})}
        aria-describedby={describedBy} aria-invalid={error ? 'true' : 'false'} onInput={(e) => onChange(e.currentTarget.value)} />
    );
  }
  return (
    <div class={`field field-${f.type}${error ? ' field-invalid' : ''}`}>
      {f.type === 'secret' && !replacing
        ? <span class="field-label" id={`${id}-lbl`}>{f.label}</span>
        : <label for={id} class="field-label">{f.label}{marker}</label>}
      {input}
      {help && <p id={`${id}-help`} class="hint">{help}</p>}
      {error && <p id={`${id}-err`} class="error-text" role="alert">{error}</p>}
    </div>
  );
}

/** Lower-case words of a filter, each of which a field's label (or key) must contain. */
function matches(f: FieldSpec, words: string[]): boolean {
  const hay = `${f.label} ${f.name.replace(/_/g, ' ')}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

function ServerSettings({ extras }: { extras: Extra[] }) {
  const s = useServices();
  const [data, setData] = useState<NormalizedSettings | null>(null);
  const [loadErr, setLoadErr] = useState<string | null>(null);
  const [edits, setEdits] = useState<Record<string, unknown>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [active, setActive] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const models = useStore(s.status).api?.models ?? [];

  const load = async () => {
    try {
      setData(normalizeSettings(await s.transport.getSettings()));
      setLoadErr(null);
    } catch (e) {
      setLoadErr(toApiError(e).message);
    }
  };
  useEffect(() => void load(), []);

  const groups = useMemo(() => {
    const g = new Map<string, FieldSpec[]>();
    for (const f of data?.fields ?? []) g.set(f.group, [...(g.get(f.group) ?? []), f]);
    return [...g];
  }, [data]);

  // The index: each schema group (with the extras shown under it), then the extras whose group
  // the schema does not have.
  const sections = useMemo(() => {
    const names = new Set(groups.map(([g]) => g));
    return [
      ...groups.map(([g, fields]) => ({ id: `group:${g}`, label: g, fields, extras: extras.filter((x) => x.under === g) })),
      ...extras.filter((x) => !x.under || !names.has(x.under)).map((x) => ({ id: x.id, label: x.label, fields: [] as FieldSpec[], extras: [x] })),
    ];
  }, [groups, extras]);
  const current = sections.find((x) => x.id === active) ?? sections[0];
  const words = filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const shown: [string, FieldSpec[]][] = words.length
    ? groups.map(([g, fields]) => [g, fields.filter((f) => matches(f, words))] as [string, FieldSpec[]]).filter(([, fs]) => fs.length)
    : current && current.fields.length ? [[current.label, current.fields]] : [];
  const edited = new Set((data?.fields ?? []).filter((f) => f.name in edits).map((f) => f.group));

  const save = async (patch: JSONObject) => {
    setSaving(true);
    setMsg(null);
    try {
      const out = await s.transport.saveSettings(patch);
      setErrors({});
      setEdits({});
      setData(normalizeSettings(out));
      const cleared = Array.isArray((out as JSONObject).cleared_secrets) ? ((out as JSONObject).cleared_secrets as unknown[]).map((n) => secretLabel(String(n))) : [];
      setMsg(cleared.length
        ? `Saved. The stored ${cleared.join(', ')} ${cleared.length > 1 ? 'were' : 'was'} removed because the address changed; enter ${cleared.length > 1 ? 'them' : 'it'} again to use ${cleared.length > 1 ? 'them' : 'it'} there.`
        : 'Saved.');
      void s.loadStatus();
    } catch (e) {
      const err = toApiError(e);
      setErrors(err instanceof ApiError ? err.fields : {});
      setMsg(err.message);
    } finally {
      setSaving(false);
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    if (!data) return;
    const patch: JSONObject = {};
    const local: Record<string, string> = {};
    for (const f of data.fields) {
      if (!(f.name in edits)) continue;
      const v = coerce(f, edits[f.name]);
      const err = validate(f, v);
      if (err) local[f.name] = err;
      else patch[f.name] = v;
    }
    if (Object.keys(local).length) {
      setErrors(local);
      // A field that needs attention may be in another section: say where.
      const where = [...new Set(data.fields.filter((f) => f.name in local).map((f) => f.group))];
      setMsg(`Some fields need attention (${where.join(', ')}).`);
      return;
    }
    if (!Object.keys(patch).length) {
      setMsg('Nothing changed.');
      return;
    }
    void save(patch);
  };

  const go = (id: string) => {
    setActive(id);
    setFilter('');
  };

  return (
    <div class="settings-layout">
      <nav class="settings-nav" aria-label="Settings sections">
        <label for="settings-filter" class="sr-only">Filter settings</label>
        <input id="settings-filter" type="search" placeholder="Filter settings…" value={filter} autoComplete="off"
          onInput={(e) => setFilter(e.currentTarget.value)} />
        <ul>
          {sections.map((x) => (
            <li key={x.id}>
              <button type="button" class="settings-nav-item" aria-current={!words.length && x.id === current?.id ? 'true' : undefined}
                onClick={() => go(x.id)}>
                {x.label}
                {edited.has(x.label) && x.id.startsWith('group:') && <span class="unsaved" title="Unsaved changes"> •<span class="sr-only"> (unsaved changes)</span></span>}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <div class="settings-main">
        {loadErr && <p class="error" role="alert">{loadErr} <button type="button" class="btn btn-small" onClick={() => void load()}>Try again</button></p>}
        {data && (shown.length > 0 || words.length > 0) && (
          <section class="panel" aria-labelledby="set-srv">
            <h3 id="set-srv">{words.length ? 'Settings matching the filter' : current?.label}</h3>
            <form onSubmit={submit} noValidate>
              {!words.length && current?.label === 'Keychain' && data.panels.map((p) => (
                <div key={p.name} class="status-panel">
                  <h4>{p.label}</h4>
                  <KeyValue value={p.value} />
                </div>
              ))}
              {words.length > 0 && !shown.length && <p class="muted" role="status">No setting matches “{filter.trim()}”.</p>}
              {shown.map(([g, fields]) => (
                <fieldset key={g} class="group">
                  <legend class={words.length ? undefined : 'sr-only'}>{g}</legend>
                  {fields.map((f) => (
                    <FieldInput key={f.name} f={f} value={f.name in edits ? edits[f.name] : f.value} error={errors[f.name]} models={models}
                      onChange={(v) => setEdits({ ...edits, [f.name]: v })}
                      onSecret={(v) => void save({ [f.name]: v ?? '' })} />
                  ))}
                </fieldset>
              ))}
              <div class="row settings-save">
                <button type="submit" class="btn btn-primary" disabled={saving}>{saving ? 'Saving…' : 'Save settings'}</button>
                <span role="status" class={Object.keys(errors).length ? 'error-text' : 'muted'}>
                  {msg ?? (edited.size ? `Unsaved changes in ${[...edited].join(', ')}.` : '')}
                </span>
              </div>
            </form>
          </section>
        )}
        {!words.length && current?.extras.map((x) => <div key={x.id}>{x.render()}</div>)}
      </div>
    </div>
  );
}

function Voices() {
  const s = useServices();
  const [v, setV] = useState<VoicesResponse | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [sample, setSample] = useState('Hello! This is how your summaries will sound.');
  const [selected, setSelected] = useState('');
  const [previewing, setPreviewing] = useState('');
  const audio = useRef<HTMLAudioElement | null>(null);
  const group = useRef<HTMLDivElement>(null);

  useEffect(() => {
    s.transport.voices().then(
      (r) => { setV(r); setSelected(r.current_voice ?? r.default_voice ?? ''); },
      (e: unknown) => setErr(toApiError(e).message),
    );
    return () => audio.current?.pause();
  }, []);

  const ids = v ? Object.keys(v.voices) : [];
  const tiers = useMemo(() => {
    const g = new Map<string, string[]>();
    for (const id of ids) {
      const t = v!.voices[id]?.tier ?? 'other';
      g.set(t, [...(g.get(t) ?? []), id]);
    }
    return [...g];
  }, [v]);

  const choose = async (id: string) => {
    setSelected(id);
    try {
      await s.transport.saveSettings({ tts_voice: id });
      s.toasts.show('Voice saved.', { kind: 'success' });
    } catch (e) {
      s.toasts.show(toApiError(e).message, { kind: 'error' });
    }
  };
  const preview = async (id: string) => {
    setPreviewing(id);
    try {
      const clip = await s.transport.previewVoice(id, sample);
      audio.current?.pause();
      const a = new Audio(URL.createObjectURL(clip.blob));
      audio.current = a;
      a.addEventListener('ended', () => URL.revokeObjectURL(a.src));
      await a.play();
    } catch (e) {
      s.toasts.show(toApiError(e).message, { kind: 'error' });
    } finally {
      setPreviewing('');
    }
  };
  const onKey = (e: KeyboardEvent) => {
    const i = ids.indexOf(selected);
    let j = -1;
    if (e.key === 'ArrowDown' || e.key === 'ArrowRight') j = (i + 1) % ids.length;
    if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') j = (i - 1 + ids.length) % ids.length;
    if (j < 0) return;
    e.preventDefault();
    void choose(ids[j]!);
    group.current?.querySelector<HTMLElement>(`[data-voice="${CSS.escape(ids[j]!)}"]`)?.focus();
  };

  return (
    <section class="panel" aria-labelledby="set-voice">
      <h3 id="set-voice">Voice</h3>
      {err && <p class="error" role="alert">{err}</p>}
      <label for="voice-sample" class="block-label">Sample text for previews</label>
      <input id="voice-sample" type="text" value={sample} onInput={(e) => setSample(e.currentTarget.value)} />
      {v && (
        <div role="radiogroup" aria-labelledby="set-voice" class="voices" ref={group} onKeyDown={onKey}>
          {tiers.map(([tier, list]) => (
            <div key={tier} class="voice-tier">
              <h4>{tier}</h4>
              {list.map((id) => {
                const info = v.voices[id]!;
                const on = id === selected;
                return (
                  <div key={id} class={`voice${on ? ' voice-on' : ''}`}>
                    <span role="radio" aria-checked={on} tabIndex={on || (!selected && id === ids[0]) ? 0 : -1} data-voice={id}
                      onClick={() => void choose(id)} onKeyDown={(e) => (e.key === ' ' || e.key === 'Enter') && (e.preventDefault(), void choose(id))}>
                      {info.display_name ?? id}
                      <small class="muted"> {[info.gender, info.accent, info.style].filter(Boolean).join(' · ')}</small>
                    </span>
                    <button type="button" class="btn btn-small" aria-label={`Preview ${info.display_name ?? id}`} disabled={previewing === id} onClick={() => void preview(id)}>
                      {previewing === id ? '…' : '▶ Preview'}
                    </button>
                  </div>
                );
              })}
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

function ApiToken() {
  const s = useServices();
  const [token, setToken] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const run = async (fn: () => Promise<string>) => {
    try {
      setToken(await fn());
      setErr(null);
    } catch (e) {
      setErr(toApiError(e).message);
    }
  };
  return (
    <section class="panel" aria-labelledby="set-token">
      <h3 id="set-token">API token</h3>
      <p class="hint">Scripts use it as <code>Authorization: Bearer …</code> when login is turned on.</p>
      <div class="row">
        <button type="button" class="btn btn-small" onClick={() => void run(() => s.transport.revealAPIToken())}>Reveal</button>
        <button type="button" class="btn btn-small btn-danger"
          onClick={() => confirm('Rotate the API token? Scripts using the old one will stop working.') && void run(() => s.transport.rotateAPIToken())}>
          Rotate
        </button>
        {token && (
          <>
            <code class="token">{token}</code>
            <button type="button" class="btn btn-small" onClick={() => void s.transport.copyText(token).then(() => s.toasts.show('Token copied.'), () => undefined)}>Copy</button>
            <button type="button" class="btn btn-small btn-quiet" onClick={() => setToken(null)}>Hide</button>
          </>
        )}
      </div>
      {err && <p class="error" role="alert">{err}</p>}
    </section>
  );
}

function ImportExport() {
  const s = useServices();
  const [path, setPath] = useState('');
  const [out, setOut] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const native = s.transport.capabilities.nativeDialogs;
  const run = async () => {
    setBusy(true);
    try {
      const r = await s.transport.importOriginal(native ? undefined : path);
      const indexing = r.indexing_pending > 0
        ? ` Search will find them all in about ${roughDuration(r.indexing_seconds)} (still indexing ${r.indexing_pending.toLocaleString('en-US')}).` : '';
      setOut(`Added ${r.added}, skipped ${r.skipped}, failed ${r.failed}.${indexing}${r.errors?.length ? ' ' + r.errors.slice(0, 3).join(' ') : ''}`);
      void s.library.refresh();
    } catch (e) {
      setOut(toApiError(e).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="set-import">
      <h3 id="set-import">Import from the original app</h3>
      <p class="hint">Brings in <code>summary_cache.json</code> (and its <code>audio_cache/</code>). Importing twice adds nothing twice.</p>
      <div class="row">
        {!native && (
          <label for="imp-path" class="grow">
            Path to summary_cache.json
            <input id="imp-path" type="text" value={path} onInput={(e) => setPath(e.currentTarget.value)} placeholder="/home/me/yt-summarizer/data/summary_cache.json" />
          </label>
        )}
        <button type="button" class="btn" disabled={busy || (!native && !path)} onClick={() => void run()}>{native ? 'Choose file and import…' : 'Import'}</button>
      </div>
      {out && <p role="status">{out}</p>}
    </section>
  );
}

function Backups() {
  const s = useServices();
  const [list, setList] = useState<JSONObject | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const load = () => s.transport.backups().then((b) => { setList(b); setErr(null); }, (e: unknown) => setErr(toApiError(e).message));
  useEffect(() => void load(), []);
  const create = async () => {
    try {
      await s.transport.createBackup();
      s.toasts.show('Backup created.', { kind: 'success' });
      void load();
    } catch (e) {
      s.toasts.show(toApiError(e).message, { kind: 'error' });
    }
  };
  return (
    <section class="panel" aria-labelledby="set-bk">
      <h3 id="set-bk">Backups</h3>
      <button type="button" class="btn" onClick={() => void create()}>Create a backup now</button>
      {err && <p class="error" role="alert">{err}</p>}
      {list && <KeyValue value={list} />}
    </section>
  );
}
