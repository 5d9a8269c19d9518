import { UNUSUAL_KEY_WARNING, WHERE_DUO_SHOWS_THE_KEY } from '../../../../src-shared/domain/configuration-key';

/**
 * The field where the admin pastes the configuration key Duo issued (the wizard's values step and "Duo issued a new
 * key"). The core cleans the paste; a value of another shape comes back flagged and is saved only once confirmed here.
 */
export function ConfigurationKeyField({
  id,
  value,
  onChange,
  onEnter,
  unusual,
  confirmUnusual,
  onConfirmUnusual,
  error,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  /** Enter in the field saves the key (the field may sit inside another form whose Enter means something else). */
  onEnter?: () => void;
  unusual: boolean;
  confirmUnusual: boolean;
  onConfirmUnusual: (confirmed: boolean) => void;
  error?: string;
}) {
  const described = [`${id}-where`, unusual ? `${id}-warning` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <>
      <div className="field">
        <label htmlFor={id}>Configuration key from Duo</label>
        <p id={`${id}-where`} className="small">
          {WHERE_DUO_SHOWS_THE_KEY} Copy it from there and paste it here; spaces and invisible characters picked up on the way are removed.
        </p>
        <input
          id={id}
          className="mono wide"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && onEnter) {
              e.preventDefault();
              onEnter();
            }
          }}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={described}
        />
        {error ? (
          <p id={`${id}-error`} className="field-error">
            {error}
          </p>
        ) : null}
      </div>
      {unusual ? (
        <>
          <p id={`${id}-warning`} className="warning-text" role="alert">
            {UNUSUAL_KEY_WARNING}
          </p>
          <label className="radio">
            <input type="checkbox" checked={confirmUnusual} onChange={(e) => onConfirmUnusual(e.target.checked)} />
            It is exactly what the Duo Admin Panel shows
          </label>
        </>
      ) : null}
    </>
  );
}
