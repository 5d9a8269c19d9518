import { ApiEmail, IvantiDomain } from '../../../../src-shared/domain/integration';
import { Field, useTypedProblem } from '../../shared/ui/Field';

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
  const domain = useTypedProblem(IvantiDomain, props.domain);
  const email = useTypedProblem(ApiEmail, props.email);
  const id = (name: string) => `${props.idPrefix}-${name}`;

  return (
    <>
      <Field id={id('email')} label="API user email (its Ivanti username)" error={email.problem ?? props.errors.email}>
        {(control) => (
          <input {...control} type="email" autoComplete="off" value={props.email} onChange={(e) => props.onEmail(e.target.value)} onBlur={email.onBlur} />
        )}
      </Field>
      <Field
        id={id('password')}
        label="API user password"
        error={props.errors.password}
        hint={
          props.passwordStored
            ? 'A password is stored in the keychain. It is never shown; leave this empty to keep it.'
            : 'Stored in the operating system keychain as soon as you leave this field; never written to disk by the console.'
        }
      >
        {(control) => (
          <input
            {...control}
            type="password"
            autoComplete="new-password"
            value={props.password}
            placeholder={props.passwordStored ? 'Stored in the keychain: type a new one to replace it' : ''}
            onChange={(e) => props.onPassword(e.target.value)}
            onBlur={() => {
              if (props.password.length > 0) props.onPasswordCommit?.();
            }}
          />
        )}
      </Field>
      <Field id={id('domain')} label="Ivanti Neurons domain" error={domain.problem ?? props.errors.domain}>
        {(control) => (
          <input
            {...control}
            autoComplete="off"
            placeholder="acmecorp.mobileiron.com"
            value={props.domain}
            onChange={(e) => props.onDomain(e.target.value)}
            onBlur={() => {
              domain.onBlur();
              // A pasted https://acme.mobileiron.com/ becomes the domain it names, in the field itself, as the core keeps it.
              const cleaned = IvantiDomain.safeParse(props.domain);
              if (cleaned.success && cleaned.data !== props.domain) props.onDomain(cleaned.data);
            }}
          />
        )}
      </Field>
    </>
  );
}
