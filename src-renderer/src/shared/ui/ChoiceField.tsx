import { Field } from './Field';

export interface Choice {
  value: string;
  label: string;
}

/**
 * A labelled select whose first choice means "no value" (a filter's "Any"): `onChange` gets undefined for it. A value
 * set from elsewhere (a chart, a saved search) that the choices do not list is still shown, under its own value.
 */
export function ChoiceField({
  id,
  label,
  value,
  choices,
  onChange,
  anyLabel = 'Any',
}: {
  id: string;
  label: string;
  value: string | null | undefined;
  choices: Choice[];
  onChange(value: string | undefined): void;
  anyLabel?: string;
}) {
  const all = value != null && value !== '' && !choices.some((c) => c.value === value) ? [...choices, { value, label: value }] : choices;
  return (
    <Field id={id} label={label}>
      {(control) => (
        <select {...control} value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
          <option value="">{anyLabel}</option>
          {all.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Choices written as [value, label] pairs. */
export const choices = (pairs: [string, string][]): Choice[] => pairs.map(([value, label]) => ({ value, label }));
