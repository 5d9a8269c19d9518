import type { ReactNode } from 'react';
import { Button } from './ui/Button';

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
      <Button type="submit" kind={kind} disabled={disabled}>
        {submit}
      </Button>
      <Button onClick={onCancel}>Cancel</Button>
    </div>
  );
}
