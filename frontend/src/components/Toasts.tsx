import { useStore } from '../lib/store';
import { useServices } from './context';

export function Toasts() {
  const { toasts } = useServices();
  const list = useStore(toasts);
  return (
    <div class="toasts" role="region" aria-label="Notifications">
      {list.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <span>{t.message}</span>
          {t.action && (
            <button type="button" class="btn btn-small" onClick={() => { t.action!.run(); toasts.dismiss(t.id); }}>
              {t.action.label}
            </button>
          )}
          <button type="button" class="btn-icon" aria-label="Dismiss notification" onClick={() => toasts.dismiss(t.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
