import { useState, type FormEvent } from 'react';
import type { Integration } from '../../../../src-shared/domain/integration';
import { useToasts } from '../../shared/ui/toast-store';
import { ApiDetailsInputs } from './ApiDetailsInputs';
import { FormActions } from '../../shared/FormActions';
import { useFormErrors } from '../../shared/use-form-errors';
import { useIntegrations } from './integrations-store';

/** Change the API details after setup. The password is only ever re-entered: blank keeps the stored one. */
export function ApiDetailsEditor({ integration }: { integration: Integration }) {
  const { updateApiDetails } = useIntegrations();
  const [open, setOpen] = useState(false);
  const [domain, setDomain] = useState(integration.domain ?? '');
  const [email, setEmail] = useState(integration.email ?? '');
  const [password, setPassword] = useState('');
  const { errors, failure, fail, clear } = useFormErrors();

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await updateApiDetails({ id: integration.id, domain, email, ...(password ? { password } : {}) });
      setPassword('');
      clear();
      setOpen(false);
      useToasts.getState().confirm('API details saved. Run Test Configuration or a sync to check them.');
    } catch (error) {
      fail(error);
    }
  }

  return (
    <section className="panel" aria-labelledby="api-edit-title">
      <h2 id="api-edit-title">API details</h2>
      {!open ? (
        <button type="button" onClick={() => setOpen(true)}>
          Edit API details
        </button>
      ) : (
        <form className="form" onSubmit={(event) => void submit(event)} noValidate>
          <ApiDetailsInputs
            idPrefix="edit-api"
            domain={domain}
            email={email}
            password={password}
            passwordStored={integration.hasPassword}
            onDomain={setDomain}
            onEmail={setEmail}
            onPassword={setPassword}
            errors={errors}
          />
          <FormActions submit="Save API details" error={failure} onCancel={() => setOpen(false)} />
        </form>
      )}
    </section>
  );
}
