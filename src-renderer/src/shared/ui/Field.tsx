import { useState, type ReactNode } from 'react';
import type { z } from 'zod';

/** What a Field hands its control: the id its label points at, and the hint and error it must be described by. */
export interface FieldControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/**
 * One labelled form field: label, the control, a hint and an error message, the last two bound to the control with
 * aria-describedby so a screen reader reads them with it. The control is the caller's (input, select, textarea), so
 * it keeps every attribute it needs.
 */
export function Field({
  id,
  label,
  hint,
  error,
  describedBy,
  className,
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  /** Other elements that describe the control (a warning shown beside the field). */
  describedBy?: string | null;
  className?: string;
  children(control: FieldControlProps): ReactNode;
}) {
  const hintId = hint ? `${id}-hint` : null;
  const errorId = error ? `${id}-error` : null;
  const described = [hintId, describedBy, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': described })}
      {hint ? (
        <p id={hintId!} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId!} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A value checked as it is typed with the contract's own schema: the schema's message once the field was left or
 * has something in it; nothing for an empty field not visited yet (that one is flagged when the form is sent).
 */
export function useTypedProblem(schema: z.ZodType | undefined, value: string): { problem: string | null; onBlur(): void } {
  const [visited, setVisited] = useState(false);
  let problem: string | null = null;
  if (schema && (visited || value.length > 0)) {
    const result = schema.safeParse(value);
    problem = result.success ? null : (result.error.issues[0]?.message ?? 'This value is not valid.');
  }
  return { problem, onBlur: () => setVisited(true) };
}
