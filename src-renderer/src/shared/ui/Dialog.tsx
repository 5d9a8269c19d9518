import { useEffect, useId, useRef, type ReactNode } from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog (the native <dialog>, opened with showModal, so the page behind it is inert): focus moves into it,
 * Tab and Shift+Tab stay inside it, Escape closes it, and on close focus goes back to what had it before (the button
 * or row that opened it). `placement="side"` draws it as a drawer along the right edge.
 */
export function Dialog({
  title,
  onClose,
  children,
  footer,
  placement = 'center',
  initialFocus,
  testId,
}: {
  title: ReactNode;
  onClose(): void;
  children: ReactNode;
  /** The dialog's buttons. */
  footer?: ReactNode;
  placement?: 'center' | 'side';
  /** A CSS selector inside the dialog to focus first; otherwise its first focusable element. */
  initialFocus?: string;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const closeRef = useRef(onClose);
  useEffect(() => {
    closeRef.current = onClose;
  }, [onClose]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const first = (initialFocus ? dialog.querySelector<HTMLElement>(initialFocus) : null) ?? dialog.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? dialog).focus();
    return () => {
      if (dialog.open) dialog.close();
      // Back to where the admin was, if that element is still on the page (a deleted row is not).
      if (opener?.isConnected) opener.focus();
    };
    // Opened once per mount; initialFocus is read at that moment only.
    // oxlint-disable-next-line react-hooks/exhaustive-deps -- see above
  }, []);

  function onKeyDown(event: React.KeyboardEvent<HTMLDialogElement>) {
    if (event.key !== 'Tab') return;
    const items = [...(ref.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])].filter((el) => el.offsetParent !== null || el === document.activeElement);
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <dialog
      ref={ref}
      className={`ui-dialog ui-dialog-${placement}`}
      aria-labelledby={titleId}
      data-testid={testId}
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        // Escape: the owner decides (it unmounts the dialog, which closes it and returns focus).
        event.preventDefault();
        closeRef.current();
      }}
    >
      <div className="ui-dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="ui-button ui-button-secondary" onClick={() => closeRef.current()} aria-label="Close">
          Close
        </button>
      </div>
      <div className="ui-dialog-body">{children}</div>
      {footer ? <div className="actions ui-dialog-footer">{footer}</div> : null}
    </dialog>
  );
}
