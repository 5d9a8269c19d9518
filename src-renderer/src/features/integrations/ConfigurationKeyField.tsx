import { UNUSUAL_KEY_WARNING, WHERE_DUO_SHOWS_THE_KEY } from '../../../../src-shared/domain/configuration-key';
import { Field } from '../../shared/ui/Field';

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
  return (
    <>
      <Field
        id={id}
        label="Configuration key from Duo"
        hint={`${WHERE_DUO_SHOWS_THE_KEY} Copy it from there and paste it here; spaces and invisible characters picked up on the way are removed.`}
        describedBy={unusual ? `${id}-warning` : null}
        error={error}
      >
        {(control) => (
          <input
            {...control}
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
          />
        )}
      </Field>
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
