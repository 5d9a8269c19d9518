import { useToasts } from './toast-store';

export function Toasts() {
  const { toasts, dismiss } = useToasts();
  return (
    <div className="toasts" role="region" aria-label="Notifications" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.level}`} role={toast.level === 'error' ? 'alert' : 'status'}>
          <span>{toast.message}</span>
          {toast.code && toast.level === 'error' ? <code className="toast-code">{toast.code}</code> : null}
          <button type="button" className="link" onClick={() => dismiss(toast.id)} aria-label="Dismiss notification">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
