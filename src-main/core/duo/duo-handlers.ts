import type { Handler } from '../../../src-shared/contract';
import type { DuoService } from './duo-service';
import type { EventBus } from '../events/event-bus';

type DuoChannel = 'duo.connection' | 'duo.connect' | 'duo.disconnect' | 'duo.test' | 'duo.read' | 'duo.cancelRead' | 'duo.groups';

export function duoHandlers({ duo, events }: { duo: DuoService; events: EventBus }): { [C in DuoChannel]: Handler<C> } {
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
  };
}
