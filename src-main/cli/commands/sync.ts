import { unreadableSpaceNames, type SyncFinished, type SyncProgress, type SyncRun } from '../../../src-shared/domain/sync';
import { parseCommandArgs } from '../args';
import { callChannel } from '../channel-call';
import { EXIT, exitCodeFor, printJson, type CliIo } from '../cli-io';
import { findIntegration } from '../integration-lookup';
import { openCore } from '../open-core';
import { ProgressLine } from '../progress-line';

export const USAGE = 'tec sync NAME [--json]';

/**
 * `tec sync NAME`: one sync of the integration's devices, in the foreground. Resumes the integration's unfinished run
 * if there is one. Ctrl-C cancels cleanly: the page in flight is dropped, everything committed stays, and the next
 * `tec sync` (or the app) resumes from the checkpoint. Exit 0 completed, 130 cancelled, otherwise the code of the
 * error that stopped it.
 */
export async function runSyncCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, { min: 1, max: 1, usage: USAGE });
  const json = values.json === true;
  const core = openCore(io);
  const bar = new ProgressLine(io);
  try {
    const integration = await findIntegration(core, positionals[0]!, io.signal);
    let runId: number | null = null;
    let resolveFinished!: (run: SyncRun) => void;
    const finished = new Promise<SyncRun>((resolve) => (resolveFinished = resolve));
    const unsubscribe = core.events.subscribe((name, payload) => {
      if (name === 'sync.progress') {
        const progress = payload as SyncProgress;
        if (progress.integrationId === integration.id) bar.update(fractionOf(progress), describeProgress(progress));
      } else if (name === 'sync.finished') {
        const done = payload as SyncFinished;
        if (done.integrationId === integration.id && (runId === null || done.runId === runId)) resolveFinished(done.run);
      }
    });
    // The run itself must not stop because io.signal aborted: Ctrl-C asks it to cancel, then waits for its checkpoint.
    const onInterrupt = () => void callChannel(core, 'sync.cancel', { integrationId: integration.id }, new AbortController().signal);
    io.signal.addEventListener('abort', onInterrupt, { once: true });
    try {
      const started = await callChannel(core, 'sync.start', { integrationId: integration.id, trigger: 'cli' }, new AbortController().signal);
      runId = started.runId;
      if (started.resumed) io.stderr.write(`Resuming sync run ${started.runId} of "${integration.name}" from its checkpoint.\n`);
      if (io.signal.aborted) onInterrupt();
      const run = await finished;
      bar.clear();
      if (json) printJson(io, run);
      else io.stdout.write(summary(integration.name, run));
      if (run.status === 'completed' && run.complete) return EXIT.ok;
      if (run.status === 'completed') {
        // Completed with unreadable spaces: the readable ones are current, but the admin must fix the rest (exit 4).
        io.stderr.write(
          `tec: IVANTI_SPACE_FORBIDDEN: ${unreadableSummary(run)} could not be read; their devices keep their last known state. Give the API user Device Read Only there, then sync again.\n`,
        );
        return EXIT.denied;
      }
      if (run.status === 'cancelled') {
        io.stderr.write(`tec: CANCELLED: Sync cancelled; ${run.devicesSeen} devices were stored. Run "tec sync ${integration.name}" again to resume.\n`);
        return EXIT.cancelled;
      }
      const error = run.errors[run.errors.length - 1] ?? { code: 'SYNC_FAILED' as const, message: 'The sync did not finish.' };
      io.stderr.write(`tec: ${error.code}: ${error.message}\n`);
      return exitCodeFor(error.code);
    } finally {
      io.signal.removeEventListener('abort', onInterrupt);
      unsubscribe();
    }
  } finally {
    bar.clear();
    // Waits for the sync worker to finish the work after the run (search index, statistics) and close.
    await core.close();
  }
}

function fractionOf(progress: SyncProgress): number | null {
  if (progress.devicesExpected === null || progress.devicesExpected === 0) return null;
  return progress.devicesSoFar / progress.devicesExpected;
}

function describeProgress(p: SyncProgress): string {
  const count = p.devicesExpected === null ? `${n(p.devicesSoFar)} devices` : `${n(p.devicesSoFar)}/${n(p.devicesExpected)} devices`;
  const where = p.space ? ` · ${p.space}` : p.phase === 'listing-spaces' ? ' · listing spaces' : p.phase === 'finalizing' ? ' · finishing' : '';
  const rate = p.devicesPerSecond > 0 ? ` · ${n(Math.round(p.devicesPerSecond))}/s` : '';
  const eta = p.etaSeconds === null ? '' : ` · ETA ${duration(p.etaSeconds * 1000)}`;
  return `${count}${where}${rate}${eta}${p.notice ? ` · ${p.notice}` : ''}`;
}

function summary(name: string, run: SyncRun): string {
  const lines = [
    `Sync of "${name}" ${runStatusText(run)}: ${n(run.devicesSeen)} devices seen; ` +
      `${n(run.added)} added, ${n(run.changed)} changed, ${n(run.removed)} removed, ${n(run.restored)} restored; ${duration(run.durationMs)} (run ${run.id}).`,
    ...run.errors.map((e) => `  ${e.code}${e.space ? ` [${e.space}]` : ''}: ${e.message}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** "completed", "completed with 2 unreadable spaces", "failed (incomplete: no device was marked removed)". */
function runStatusText(run: SyncRun): string {
  if (run.complete) return run.status;
  if (run.status === 'completed') return `completed with ${unreadableSummary(run)}`;
  return `${run.status} (incomplete: no device was marked removed)`;
}

function unreadableSummary(run: SyncRun): string {
  const spaces = unreadableSpaceNames(run.errors);
  return `${spaces.length} unreadable space${spaces.length === 1 ? '' : 's'} (${spaces.map((s) => `"${s}"`).join(', ')})`;
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 100) / 10;
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}
