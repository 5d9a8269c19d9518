import type { Handler } from '../../../src-shared/contract';
import type { SetupWizard } from './setup-wizard';

type WizardChannel =
  | 'wizard.list'
  | 'wizard.start'
  | 'wizard.get'
  | 'wizard.update'
  | 'wizard.storePassword'
  | 'wizard.next'
  | 'wizard.back'
  | 'wizard.testConfiguration'
  | 'wizard.checkIdentifier'
  | 'wizard.discard';

export function wizardHandlers({ wizard }: { wizard: SetupWizard }): { [C in WizardChannel]: Handler<C> } {
  return {
    'wizard.list': () => wizard.list(),
    'wizard.start': (input) => wizard.start(input),
    'wizard.get': ({ id }) => wizard.get(id),
    'wizard.update': ({ id, values }) => wizard.update(id, values),
    'wizard.storePassword': ({ id, password }) => wizard.storePassword(id, password),
    'wizard.next': ({ id }) => wizard.next(id),
    'wizard.back': ({ id }) => wizard.back(id),
    'wizard.testConfiguration': ({ id, testRunId }, { signal }) => wizard.testConfiguration(id, testRunId, signal),
    'wizard.checkIdentifier': ({ id, identifier }, { signal }) => wizard.checkIdentifier(id, identifier, signal),
    'wizard.discard': async ({ id }) => {
      wizard.discard(id);
      return { ok: true as const };
    },
  };
}
