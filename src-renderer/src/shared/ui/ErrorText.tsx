import { errorText } from '../error-text';

/**
 * An error shown where it happened (under the form or panel that failed), in the admin's words, until the next try
 * clears it. Nothing when there is no error. Errors never go to toasts.
 */
export function ErrorText({ error, className }: { error: unknown; className?: string }) {
  if (error === null || error === undefined) return null;
  return (
    <p role="alert" className={className ? `error-text ${className}` : 'error-text'}>
      {errorText(error)}
    </p>
  );
}
