import { useState } from 'react';
import { ApiEmail, IvantiDomain } from '../../../../src-shared/domain/integration';

/** Message for a value as typed; null when valid or not typed yet (an empty field is flagged on submit, not while typing). */
function liveError(schema: typeof IvantiDomain, value: string, touched: boolean): string | null {
  if (!touched && value.length === 0) return null;
  const result = schema.safeParse(value);
  return result.success ? null : (result.error.issues[0]?.message ?? 'Not valid.');
}

export interface ApiDetailsInputsProps {
  idPrefix: string;
  domain: string;
  email: string;
  password: string;
  passwordStored: boolean;
  onDomain(value: string): void;
  onEmail(value: string): void;
  onPassword(value: string): void;
  /** Called when the password field loses focus with something typed (the wizard stores it in the keychain then). */
  onPasswordCommit?(): void;
  /** Errors from the core, keyed by field. */
  errors: Record<string, string>;
}

/** Email, password and domain of the Ivanti API user, each checked as it is typed with the contract's own rules. */
export function ApiDetailsInputs(props: ApiDetailsInputsProps) {
  const [touched, setTouched] = useState({ domain: false, email: false });
  const domainError = liveError(IvantiDomain, props.domain, touched.domain) ?? props.errors.domain ?? null;
  const emailError = liveError(ApiEmail, props.email, touched.email) ?? props.errors.email ?? null;
  const passwordError = props.errors.password ?? null;
  const id = (name: string) => `${props.idPrefix}-${name}`;

  return (
    <>
      <div className="field">
        <label htmlFor={id('email')}>API user email (its Ivanti username)</label>
        <input
          id={id('email')}
          type="email"
          autoComplete="off"
          value={props.email}
          onChange={(e) => props.onEmail(e.target.value)}
          onBlur={() => setTouched((t) => ({ ...t, email: true }))}
          aria-invalid={emailError ? true : undefined}
          aria-describedby={emailError ? id('email-error') : undefined}
        />
        {emailError ? (
          <p id={id('email-error')} className="field-error">
            {emailError}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={id('password')}>API user password</label>
        <input
          id={id('password')}
          type="password"
          autoComplete="new-password"
          value={props.password}
          placeholder={props.passwordStored ? 'Stored in the keychain: type a new one to replace it' : ''}
          onChange={(e) => props.onPassword(e.target.value)}
          onBlur={() => {
            if (props.password.length > 0) props.onPasswordCommit?.();
          }}
          aria-invalid={passwordError ? true : undefined}
          aria-describedby={passwordError ? id('password-error') : id('password-hint')}
        />
        {passwordError ? (
          <p id={id('password-error')} className="field-error">
            {passwordError}
          </p>
        ) : (
          <p id={id('password-hint')} className="small muted">
            {props.passwordStored
              ? 'A password is stored in the keychain. It is never shown; leave this empty to keep it.'
              : 'Stored in the operating system keychain as soon as you leave this field; never written to disk by the console.'}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={id('domain')}>Ivanti Neurons domain</label>
        <input
          id={id('domain')}
          autoComplete="off"
          placeholder="acmecorp.mobileiron.com"
          value={props.domain}
          onChange={(e) => props.onDomain(e.target.value)}
          onBlur={() => {
            setTouched((t) => ({ ...t, domain: true }));
            // A pasted https://acme.mobileiron.com/ becomes the domain it names, in the field itself, as the core keeps it.
            const cleaned = IvantiDomain.safeParse(props.domain);
            if (cleaned.success && cleaned.data !== props.domain) props.onDomain(cleaned.data);
          }}
          aria-invalid={domainError ? true : undefined}
          aria-describedby={domainError ? id('domain-error') : undefined}
        />
        {domainError ? (
          <p id={id('domain-error')} className="field-error">
            {domainError}
          </p>
        ) : null}
      </div>
    </>
  );
}
