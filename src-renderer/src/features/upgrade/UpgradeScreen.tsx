import { useEffect, useRef } from 'react';
import type { UpgradeStatus } from '../../../../src-shared/contract/app';
import { Button } from '../../shared/ui/Button';
import { useUpgrade } from './upgrade-store';
import './upgrade.css';

const count = (n: number) => n.toLocaleString('en-US');

/**
 * The desktop app's upgrade window (start-upgrade.ts opens it only when a database is to be upgraded): what start-up
 * does to the database, step by step, before the console opens. A step with counts has a bar with the count; a step
 * SQLite runs whole has a bar that only says it is busy. On failure: why, what state the data is in, where the log
 * and the copy are, and a Quit button (focused, so Enter or Space quits).
 */
export function UpgradeScreen() {
  const status = useUpgrade((state) => state.status);
  return (
    <main className="upgrade-screen">
      <h1>Upgrading the console’s database</h1>
      {status?.stage === 'failed' ? <UpgradeFailed status={status} /> : <UpgradeRunning status={status} />}
    </main>
  );
}

function UpgradeRunning({ status }: { status: Exclude<UpgradeStatus, { stage: 'failed' }> | null }) {
  const { title, detail, value, max, label } = describe(status);
  return (
    <section aria-labelledby="upgrade-step">
      <p id="upgrade-step" className="upgrade-step">
        {title}
      </p>
      {value === undefined ? (
        <progress aria-labelledby="upgrade-step" aria-valuetext={label} />
      ) : (
        <progress aria-labelledby="upgrade-step" value={value} max={max} aria-valuetext={label} />
      )}
      <p className="small" aria-live="polite">
        {label}
      </p>
      {detail ? <p className="small muted mono">{detail}</p> : null}
      <p className="small muted">The console opens when this is done. An upgrade finishes or is undone whole: it is never left half done.</p>
    </section>
  );
}

function describe(status: Exclude<UpgradeStatus, { stage: 'failed' }> | null): { title: string; detail?: string; value?: number; max?: number; label: string } {
  if (status === null) return { title: 'Getting ready…', label: 'Starting' };
  switch (status.stage) {
    case 'starting':
      return { title: `Getting ready to upgrade the database from schema ${status.fromVersion} to ${status.toVersion}…`, label: 'Starting' };
    case 'backup':
      return {
        title: `Copying the database (${count(Math.round(status.bytes / 1_000_000))} MB) before upgrading it, so the upgrade can be undone:`,
        detail: status.file,
        label: 'One step: no count until the copy is done',
      };
    case 'indexes':
      return {
        title: 'Finishing the device indexes a stopped sync left, before upgrading',
        value: status.built,
        max: Math.max(1, status.total),
        label: `${count(status.built)} of ${count(status.total)} indexes built`,
      };
    case 'migrating':
      return { title: `Upgrading to schema ${status.version} (${status.name})`, label: `Step ${status.position} of ${status.count}` };
    case 'migration':
      if (status.step !== undefined) {
        return { title: `Upgrading to schema ${status.version} (${status.name}): ${status.step}`, label: `${count(status.total)} devices in one step: no count until it is done` };
      }
      return {
        title: `Upgrading to schema ${status.version} (${status.name})`,
        value: status.done,
        max: Math.max(1, status.total),
        label: `${count(status.done)} of ${count(status.total)} devices`,
      };
    case 'opening':
      return { title: 'The database is upgraded. Opening the console…', label: 'Opening' };
  }
}

function UpgradeFailed({ status }: { status: Extract<UpgradeStatus, { stage: 'failed' }> }) {
  const actions = useRef<HTMLDivElement>(null);
  // Focus on Quit: the one thing left to do, by Enter or Space.
  useEffect(() => actions.current?.querySelector('button')?.focus(), []);
  return (
    <section role="alert" aria-labelledby="upgrade-failed">
      <h2 id="upgrade-failed">The database could not be upgraded</h2>
      <p>{status.message}</p>
      <p>The console does not open a database it could not upgrade. The log says what failed; the copy is the database as it was before the upgrade.</p>
      <dl className="facts">
        <dt>Log</dt>
        <dd className="mono">{status.logFile}</dd>
        <dt>Copy before the upgrade</dt>
        <dd className={status.backupFile ? 'mono' : undefined}>{status.backupFile ?? 'None was written.'}</dd>
        <dt>Error code</dt>
        <dd className="mono">{status.code}</dd>
      </dl>
      <div className="actions" ref={actions}>
        <Button kind="primary" onClick={() => window.close()}>
          Quit
        </Button>
      </div>
    </section>
  );
}
