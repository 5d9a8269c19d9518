import type { Handler } from '../../../src-shared/contract';
import type { DuoService } from './duo-service';
import type { DuoComparison } from './duo-comparison';
import type { EventBus } from '../events/event-bus';
import { writeDisagreementExport } from './duo-disagreement-export';

type DuoChannel =
  | 'duo.connection'
  | 'duo.connect'
  | 'duo.disconnect'
  | 'duo.test'
  | 'duo.read'
  | 'duo.cancelRead'
  | 'duo.groups'
  | 'duo.userView'
  | 'duo.matchUsers'
  | 'duo.disagreements'
  | 'duo.exportDisagreements';

export function duoHandlers({
  duo,
  duoComparison,
  events,
  exportDir,
  now,
}: {
  duo: DuoService;
  duoComparison: DuoComparison;
  events: EventBus;
  exportDir: string;
  now: () => Date;
}): { [C in DuoChannel]: Handler<C> } {
  return {
    'duo.connection': async () => duo.connection(),
    'duo.connect': async (input) => duo.connect(input),
    'duo.disconnect': async () => {
      await duo.disconnect();
      return { ok: true as const };
    },
    'duo.test': async (input, { signal }) => {
      const testRunId = input?.testRunId ?? null;
      // The handler context's signal is the platform AbortSignal (the contract only names the part handlers use).
      return duo.test(signal as AbortSignal, (step) => events.emit('duo.testStep', { testRunId, step }));
    },
    // Stops when the caller goes away (window closed, CLI interrupted) or on duo.cancelRead.
    'duo.read': async (_input, { signal }) => duo.read(signal as AbortSignal, (progress) => events.emit('duo.progress', progress)),
    'duo.cancelRead': async () => {
      duo.cancelRead();
      return { ok: true as const };
    },
    'duo.groups': async () => duo.groups(),
    'duo.userView': async ({ user }) => duoComparison.userView(user),
    'duo.matchUsers': async ({ names }) => duoComparison.matchUsers(names),
    'duo.disagreements': async () => duoComparison.disagreements(),
    'duo.exportDisagreements': async ({ format }) => {
      const list = duoComparison.disagreements();
      return { file: writeDisagreementExport(exportDir, list, format, now()), count: list.items.length };
    },
  };
}
