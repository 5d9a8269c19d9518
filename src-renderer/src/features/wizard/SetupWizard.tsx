import { useEffect, useRef, type FormEvent } from 'react';
import { WIZARD_STEP_TITLES, WIZARD_STEPS, type WizardDraft, type WizardStep } from '../../../../src-shared/contract/wizard';
import { errorText } from '../../shared/error-text';
import { useIntegrations } from '../integrations/integrations-store';
import { ActivationStep } from './ActivationStep';
import { ApiDetailsStep } from './ApiDetailsStep';
import { ChecklistStep } from './ChecklistStep';
import { DoneStep } from './DoneStep';
import { FirstSyncStep } from './FirstSyncStep';
import { IdentifierStep } from './IdentifierStep';
import { MdmStep } from './MdmStep';
import { PlatformStep } from './PlatformStep';
import { TestStep } from './TestStep';
import { ValuesStep } from './ValuesStep';
import { useWizard } from './wizard-store';
import './wizard.css';

const STEP_BODIES: Record<WizardStep, (props: { draft: WizardDraft }) => React.JSX.Element> = {
  mdm: MdmStep,
  platform: PlatformStep,
  values: ValuesStep,
  checklist: ChecklistStep,
  'api-details': ApiDetailsStep,
  test: TestStep,
  'first-sync': FirstSyncStep,
  identifier: IdentifierStep,
  activation: ActivationStep,
  done: DoneStep,
};

const VISIBLE_STEPS = WIZARD_STEPS.filter((s) => s !== 'done');

function nextLabel(draft: WizardDraft): string {
  if (draft.step === 'platform' && draft.integrationId === null) return 'Create integration';
  if (draft.step === 'test') return 'Save & Configure';
  if (draft.step === 'activation') return draft.activation.status === 'disabled' ? 'Finish' : 'Activate';
  return 'Next';
}

/** Whether Next can succeed yet; the core checks again, this only keeps an impossible Next from being offered. */
function nextReady(draft: WizardDraft): boolean {
  if (draft.step === 'test') return draft.testResult?.ok === true;
  if (draft.step === 'first-sync') return draft.lastCompletedSyncAt !== null;
  return true;
}

/** The setup wizard: one step at a time, every value kept in a draft that survives quitting the app. */
export function SetupWizard({ draftId }: { draftId: string }) {
  const { draft, busy, error, open, next, back } = useWizard();
  const show = useIntegrations((s) => s.show);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    void open(draftId);
  }, [draftId, open]);

  useEffect(() => {
    headingRef.current?.focus();
  }, [draft?.step]);

  if (!draft) {
    return (
      <section aria-labelledby="wizard-loading">
        <h1 id="wizard-loading">Set up an integration</h1>
        {error ? <p role="alert">{errorText(error)}</p> : <p role="status">Loading the setup…</p>}
        <button type="button" onClick={() => show({ kind: 'list' })}>
          Back to integrations
        </button>
      </section>
    );
  }

  const Body = STEP_BODIES[draft.step];
  const index = VISIBLE_STEPS.indexOf(draft.step as (typeof VISIBLE_STEPS)[number]);
  const canGoBack = draft.step !== 'done' && index > (draft.integrationId === null ? 0 : VISIBLE_STEPS.indexOf('values'));

  async function submit(event: FormEvent) {
    event.preventDefault();
    await next();
  }

  return (
    <section aria-labelledby="wizard-title" className="wizard">
      <button type="button" className="link-button" onClick={() => show({ kind: 'list' })}>
        ← All integrations (the setup is kept: resume it any time)
      </button>
      <h1 id="wizard-title">{draft.name ? `Set up “${draft.name}”` : 'Set up an integration'}</h1>
      <ol className="wizard-stepper" aria-label="Setup steps">
        {VISIBLE_STEPS.map((step, i) => (
          <li key={step} aria-current={step === draft.step ? 'step' : undefined} className={i < index || draft.step === 'done' ? 'wizard-step-done' : undefined}>
            <span className="wizard-step-number" aria-hidden="true">
              {i + 1}
            </span>
            {WIZARD_STEP_TITLES[step]}
            {i < index || draft.step === 'done' ? <span className="visually-hidden"> (done)</span> : null}
          </li>
        ))}
      </ol>
      <form className="panel wizard-step" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="wizard-step-title">
        <h2 id="wizard-step-title" ref={headingRef} tabIndex={-1}>
          {draft.step === 'done' ? 'Setup complete' : `Step ${index + 1} of ${VISIBLE_STEPS.length}: ${WIZARD_STEP_TITLES[draft.step]}`}
        </h2>
        <Body draft={draft} />
        {error ? (
          <p role="alert" className="error-text">
            {errorText(error)}
          </p>
        ) : null}
        {draft.step !== 'done' ? (
          <div className="actions wizard-nav">
            <button type="button" onClick={() => void back()} disabled={!canGoBack || busy}>
              Back
            </button>
            <button type="submit" className="primary" disabled={busy || !nextReady(draft)}>
              {nextLabel(draft)}
            </button>
          </div>
        ) : null}
      </form>
    </section>
  );
}
