import { useEffect, useState, type FormEvent } from 'react';
import { useToasts } from '../../app/toast-store';
import { errorText, fieldErrors } from '../../shared/error-text';
import { useSettings } from './settings-store';
import { DuoConnectionPanel } from '../duo/DuoConnectionPanel';

export function SettingsPage() {
  const { settings, info, error, load, save } = useSettings();
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (settings) setDraft(Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)])));
  }, [settings]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await save(Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, Number(v)])));
      setErrors({});
      useToasts.getState().push({ level: 'success', message: 'Settings saved.' });
    } catch (e) {
      setErrors(fieldErrors(e));
      useToasts.getState().pushError(e);
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
            <div key={f.key} className="field">
              <label htmlFor={`setting-${f.key}`}>{f.label}</label>
              <input
                id={`setting-${f.key}`}
                inputMode="numeric"
                value={draft[f.key] ?? ''}
                onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
                aria-invalid={errors[f.key] ? true : undefined}
              />
              {errors[f.key] ? <p className="field-error">{errors[f.key]}</p> : null}
            </div>
          ))}
          <div className="actions">
            <button type="submit" className="primary">
              Save settings
            </button>
          </div>
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
