import { useToasts } from './toast-store';

/** Where confirmations appear (bottom right), announced politely; each one can be dismissed before it times out. */
export function Toasts() {
  const { toasts, dismiss } = useToasts();
  return (
    <div className="ui-toasts" role="region" aria-label="Notifications" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} className={`ui-toast ui-toast-${toast.level}`} role="status">
          <span>{toast.message}</span>
          <button type="button" className="ui-toast-dismiss" onClick={() => dismiss(toast.id)} aria-label="Dismiss notification">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
