import type { ReactNode } from 'react';
import { Button } from './ui/Button';
import { ErrorText } from './ui/ErrorText';

/**
 * The foot of a form, the same everywhere: why the last send failed when no field explains it (`error`), then the
 * submit button and, for an inline editor that can be put away, Cancel.
 */
export function FormActions({
  submit,
  kind = 'primary',
  disabled = false,
  error = null,
  onCancel,
}: {
  submit: ReactNode;
  kind?: 'primary' | 'danger';
  disabled?: boolean;
  error?: unknown;
  onCancel?(this: void): void;
}) {
  return (
    <>
      <ErrorText error={error} />
      <div className="actions">
        <Button type="submit" kind={kind} disabled={disabled}>
          {submit}
        </Button>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
      </div>
    </>
  );
}
