import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { checklistFor } from '../../../../src-shared/domain/ivanti-setup';
import { useWizard } from './wizard-store';

export function ChecklistStep({ draft }: { draft: WizardDraft }) {
  const { edit, errors } = useWizard();
  if (!draft.platform) return <p>Choose a platform first.</p>;
  const items = checklistFor(draft.platform, draft.migratedFrom !== null);
  const done = items.filter((i) => draft.checklist[i.id]).length;
  return (
    <>
      <p>
        Do these in the Ivanti Neurons admin portal, and tick each one when it is done. You can go on to the API details before every
        item is ticked: the ticks are kept, and the next steps show what is still open.{' '}
        <span role="status">
          {done} of {items.length} done.
        </span>
      </p>
      <fieldset aria-describedby={errors.checklist ? 'checklist-error' : undefined}>
        <legend>In Ivanti Neurons</legend>
        <ul className="wizard-checklist">
          {items.map((item) => (
            <li key={item.id}>
              <label className="radio choice">
                <input type="checkbox" checked={draft.checklist[item.id] === true} onChange={(e) => edit({ checklist: { ...draft.checklist, [item.id]: e.target.checked } })} />
                <span>
                  <strong>{item.title}</strong>
                  <span className="block small muted">{item.detail}</span>
                </span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {errors.checklist ? (
        <p id="checklist-error" className="field-error">
          {errors.checklist}
        </p>
      ) : null}
    </>
  );
}
