import { useState } from 'react';
import { splitError } from './error-text';

/**
 * What a form shows after it was sent: `errors` by field, and `failure`, the error no field explains (for ErrorText).
 * `fail` splits a refusal between them; `clear` empties both once the form is accepted.
 */
export function useFormErrors() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  return {
    errors,
    failure,
    /** An error that belongs under the form as a whole (an action other than sending it failed). */
    setFailure,
    fail(error: unknown) {
      const split = splitError(error);
      setErrors(split.fields);
      setFailure(split.failure);
    },
    clear() {
      setErrors({});
      setFailure(null);
    },
  };
}
