import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { useWizard } from './wizard-store';

export function MdmStep({ draft }: { draft: WizardDraft }) {
  const { edit, errors } = useWizard();
  return (
    <>
      <p>Which device management tool holds the devices Duo should trust?</p>
      <fieldset aria-describedby={errors.mdm ? 'mdm-error' : undefined}>
        <legend>Device management tool</legend>
        <label className="radio choice">
          <input type="radio" name="mdm" value="ivanti-neurons" checked={draft.mdm === 'ivanti-neurons'} onChange={() => edit({ mdm: 'ivanti-neurons' })} />
          <span>
            <strong>Ivanti Neurons for MDM</strong> (formerly MobileIron Cloud, also sold as Ivanti Secure UEM)
            <span className="block small muted">The cloud-hosted service. The on-premises MobileIron Core is a different product.</span>
          </span>
        </label>
      </fieldset>
      {errors.mdm ? (
        <p id="mdm-error" className="field-error">
          {errors.mdm}
        </p>
      ) : null}
    </>
  );
}
