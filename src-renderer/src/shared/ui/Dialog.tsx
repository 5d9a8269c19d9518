import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useFocusTrap } from './use-focus-trap';

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

  // Shown modal first (the page behind goes inert), so the focus trap, declared after, can focus inside it.
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
    };
  }, []);
  const onKeyDown = useFocusTrap(ref, { initialFocus });

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
