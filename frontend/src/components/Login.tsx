import { useState } from 'preact/hooks';
import { toApiError } from '../lib/api/errors';
import { useServices } from './context';

export function Login() {
  const s = useServices();
  const [code, setCode] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await s.transport.login(code);
      s.status.set({ ...s.status.get(), needLogin: false, error: null });
      await s.start();
    } catch (e2) {
      const er = toApiError(e2);
      const mins = er.extra.locked_until_minutes;
      setErr(typeof mins === 'number' ? `${er.message} Try again in ${mins} minutes.` : er.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel login" aria-labelledby="login-h">
      <h2 id="login-h">Log in</h2>
      <form onSubmit={(e) => void submit(e)}>
        <label for="passcode" class="block-label">Passcode</label>
        <input id="passcode" type="password" autoComplete="current-password" value={code} onInput={(e) => setCode(e.currentTarget.value)} autoFocus />
        <button type="submit" class="btn btn-primary" disabled={busy || !code}>Log in</button>
        {err && <p class="error" role="alert">{err}</p>}
      </form>
    </section>
  );
}
