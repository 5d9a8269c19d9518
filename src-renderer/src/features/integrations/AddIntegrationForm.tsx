import { useState, type FormEvent } from 'react';
import { Platform, PLATFORM_LABELS } from '../../../../src-shared/domain/integration';
import { useToasts } from '../../app/toast-store';
import { fieldErrors } from '../../shared/error-text';
import { useIntegrations } from './integrations-store';

export function AddIntegrationForm({ onDone }: { onDone: () => void }) {
  const create = useIntegrations((s) => s.create);
  const [name, setName] = useState('');
  const [platform, setPlatform] = useState<Platform>('android');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      const created = await create({ name, platform });
      useToasts.getState().push({ level: 'success', message: `Created "${created.name}". It is disabled until you enable it.` });
      onDone();
    } catch (error) {
      const fields = fieldErrors(error);
      setErrors(fields);
      if (Object.keys(fields).length === 0) useToasts.getState().pushError(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel form" onSubmit={submit} aria-labelledby="add-integration-title" noValidate>
      <h2 id="add-integration-title">Add integration</h2>
      <label htmlFor="integration-name">Name</label>
      <input
        id="integration-name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        aria-invalid={errors.name ? true : undefined}
        aria-describedby={errors.name ? 'integration-name-error' : undefined}
      />
      {errors.name ? (
        <p id="integration-name-error" className="field-error">
          {errors.name}
        </p>
      ) : null}
      <fieldset>
        <legend>Platform</legend>
        {(['android', 'ios-appconfig'] as const).map((p) => (
          <label key={p} className="radio">
            <input type="radio" name="platform" value={p} checked={platform === p} onChange={() => setPlatform(p)} />
            {PLATFORM_LABELS[p]}
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          Create
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
