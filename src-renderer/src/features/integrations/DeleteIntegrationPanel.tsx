import { useState, type FormEvent } from 'react';
import type { Integration } from '../../../../src-shared/domain/integration';
import { useToasts } from '../../shared/ui/toast-store';
import { fieldErrors } from '../../shared/error-text';
import { FormActions } from '../../shared/FormActions';
import { Dialog } from '../../shared/ui/Dialog';
import { Field } from '../../shared/ui/Field';
import { useIntegrations } from './integrations-store';

/** Deletion with its consequences spelled out (from the seed), the name typed to confirm, and keep-or-purge devices. */
export function DeleteIntegrationPanel({
  integration,
  initiallyOpen = false,
}: {
  integration: Integration;
  /** Opened (its name field focused) from a link to this step, e.g. the migration's last step. */
  initiallyOpen?: boolean;
}) {
  const { remove } = useIntegrations();
  const [open, setOpen] = useState(initiallyOpen);
  const [name, setName] = useState('');
  const [purge, setPurge] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await remove({ id: integration.id, confirmName: name, purgeDevices: purge });
      useToasts.getState().confirm(`Deleted “${integration.name}”. Its keychain entries are gone.`);
    } catch (e) {
      const confirmName = fieldErrors(e).confirmName ?? null;
      setError(confirmName);
      setFailure(confirmName ? null : e);
    }
  }

  return (
    <section className="panel danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete integration</h2>
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        Delete “{integration.name}”…
      </button>
      {open ? (
        <Dialog title={`Delete “${integration.name}”?`} onClose={() => setOpen(false)} initialFocus="#delete-confirm-name" testId="delete-dialog">
          <form className="form" onSubmit={(event) => void submit(event)} noValidate>
            <p>Before you delete it:</p>
            <ul>
              <li>
                In Duo, unassign the trusted-endpoints policy from every application (or remove Trusted Endpoints from the global
                policy) first. Left in place, it may block users once this integration is gone.
              </li>
              <li>In Ivanti, disable the API user this integration used.</li>
            </ul>
            <p>Deleting:</p>
            <ul>
              <li>invalidates every certificate this integration issued, at once;</li>
              <li>removes its password and any other secret from the keychain;</li>
              <li>is recorded in the audit log.</li>
            </ul>
            <label className="radio">
              <input type="checkbox" checked={purge} onChange={(e) => setPurge(e.target.checked)} />
              Also purge its synced devices and their change history (otherwise they stay for audits)
            </label>
            <Field id="delete-confirm-name" label={`Type the integration's name to confirm: ${integration.name}`} error={error}>
              {(control) => <input {...control} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
            <FormActions submit="Delete permanently" kind="danger" disabled={name.trim() !== integration.name} error={failure} onCancel={() => setOpen(false)} />
          </form>
        </Dialog>
      ) : null}
    </section>
  );
}
