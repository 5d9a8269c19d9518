import { useState } from 'react';
import type { Integration } from '../../../../src-shared/domain/integration';
import { useToasts } from '../../app/toast-store';
import { call } from '../../shared/api';

/** Rotation breaks trust on every device until Ivanti delivers the new value, so it takes an explicit confirmation. */
export function RotateKeyPanel({ integration, onRotated }: { integration: Integration; onRotated: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [understood, setUnderstood] = useState(false);

  async function rotate() {
    try {
      await call('integrations.rotateConfigurationKey', { id: integration.id, confirm: true });
      setConfirming(false);
      setUnderstood(false);
      useToasts.getState().push({ level: 'warning', message: 'New configuration key created. Paste it into Duo Mobile\'s configuration in Ivanti now.' });
      onRotated();
    } catch (error) {
      useToasts.getState().pushError(error);
    }
  }

  if (!confirming) {
    return (
      <div className="actions">
        <button type="button" onClick={() => setConfirming(true)}>
          Rotate configuration key…
        </button>
      </div>
    );
  }
  return (
    <div className="confirm-box" role="group" aria-labelledby="rotate-title">
      <h3 id="rotate-title">Rotate the configuration key?</h3>
      <p className="warning-text">
        Devices keep the old key until Ivanti sends them the new one. Until you replace the value in Duo Mobile&apos;s managed
        configuration in Ivanti and devices pick it up, their trust checks fail.
      </p>
      <label className="radio">
        <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} />I will update the value in
        Ivanti right away
      </label>
      <div className="actions">
        <button type="button" className="danger" disabled={!understood} onClick={() => void rotate()}>
          Rotate key
        </button>
        <button type="button" onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </div>
    </div>
  );
}
