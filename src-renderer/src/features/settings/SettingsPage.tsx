import { useEffect, useState, type FormEvent } from 'react';
import { useToasts } from '../../shared/ui/toast-store';
import { Field } from '../../shared/ui/Field';
import { errorText } from '../../shared/error-text';
import { useSettings } from './settings-store';
import { DuoConnectionPanel } from '../duo/DuoConnectionPanel';
import { useFormErrors } from '../../shared/use-form-errors';
import { FormActions } from '../../shared/FormActions';

export function SettingsPage() {
  const { settings, info, error, load, save } = useSettings();
  const [draft, setDraft] = useState<Record<string, string>>({});
  const { errors, failure, fail, clear } = useFormErrors();

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (settings) setDraft(Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)])));
  }, [settings]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      // An empty field is no number (not 0): it is sent as such and refused with the field's own message.
      await save(Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, v.trim() === '' ? Number.NaN : Number(v)])));
      clear();
      useToasts.getState().confirm('Settings saved.');
    } catch (e) {
      fail(e);
    }
  }

  const fields = [
    { key: 'syncIntervalMinutes', label: 'Background sync every (minutes, 0 = off)' },
    { key: 'staleSyncHours', label: 'Treat a sync as too old after (hours)' },
    { key: 'certificateWarningDays', label: 'Warn about certificates expiring within (days)' },
  ];

  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      {error ? <p role="alert">{errorText(error)}</p> : null}
      {settings ? (
        <form className="panel form" onSubmit={(event) => void submit(event)} noValidate>
          {fields.map((f) => (
            <Field key={f.key} id={`setting-${f.key}`} label={f.label} error={errors[f.key]}>
              {(control) => <input {...control} inputMode="numeric" value={draft[f.key] ?? ''} onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })} />}
            </Field>
          ))}
          <FormActions submit="Save settings" error={failure} />
        </form>
      ) : null}
      <DuoConnectionPanel />
      {info ? (
        <dl className="panel facts" aria-label="About this console">
          <dt>Version</dt>
          <dd>{info.version}</dd>
          <dt>Data directory</dt>
          <dd className="mono">{info.dataDir}</dd>
          <dt>Database schema</dt>
          <dd>{info.schemaVersion}</dd>
          <dt>Runtime</dt>
          <dd>
            Node {info.runtime.node}
            {info.runtime.electron ? `, Electron ${info.runtime.electron}, Chromium ${info.runtime.chrome}` : ''} ({info.transport})
          </dd>
        </dl>
      ) : null}
    </section>
  );
}
