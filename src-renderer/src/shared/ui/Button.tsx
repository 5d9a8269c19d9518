import type { ButtonHTMLAttributes } from 'react';

export type ButtonKind = 'primary' | 'secondary' | 'danger' | 'link';

/** The console's button: one look per kind. `type` defaults to "button" so a button never submits a form by accident. */
export function Button({ kind = 'secondary', className, type = 'button', ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { kind?: ButtonKind }) {
  const classes = `ui-button ui-button-${kind}${className ? ` ${className}` : ''}`;
  // oxlint-disable-next-line react/button-has-type -- the type is the caller's, "button" unless it says otherwise
  return <button type={type} className={classes} {...props} />;
}
