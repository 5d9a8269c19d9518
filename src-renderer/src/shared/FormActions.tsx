import type { ReactNode } from 'react';

/** The submit and Cancel buttons at the foot of an inline editor panel, the same everywhere. */
export function FormActions({
  submit,
  kind = 'primary',
  disabled = false,
  onCancel,
}: {
  submit: ReactNode;
  kind?: 'primary' | 'danger';
  disabled?: boolean;
  onCancel(this: void): void;
}) {
  return (
    <div className="actions">
      <button type="submit" className={kind} disabled={disabled}>
        {submit}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
