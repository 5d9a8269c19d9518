import type { Handler } from '../../../src-shared/contract';
import { AppError } from '../../../src-shared/errors';
import type { EventBus } from '../events/event-bus';
import { runTestConfiguration, type IvantiConnectionDetails } from '../ivanti/configuration-check';
import { secretAccount, type SecretStore } from '../secrets/secret-store';
import type { IntegrationService } from './integration-service';

/**
 * `integrations.testConfiguration`: for a saved integration, the stored domain, email and keychain password fill what
 * the caller did not type; a typed password is used for this test only and stored only if the admin then saves it.
 */
export function testConfigurationHandler({ integrations, secrets, events }: { integrations: IntegrationService; secrets: SecretStore; events: EventBus }): {
  'integrations.testConfiguration': Handler<'integrations.testConfiguration'>;
} {
  return {
    'integrations.testConfiguration': async (input, { signal }) => {
      const details = await connectionDetails(input);
      const testRunId = input.testRunId ?? null;
      const integrationId = input.id ?? null;
      // The handler context's signal is the platform AbortSignal (the contract only names the part handlers use).
      return runTestConfiguration(details, {}, signal as AbortSignal, (step) => {
        events.emit('integrations.testStep', { testRunId, integrationId, step });
      });
    },
  };

  async function connectionDetails(input: { id?: string; domain?: string; email?: string; password?: string }): Promise<IvantiConnectionDetails> {
    const saved = input.id === undefined ? null : await integrations.get(input.id);
    const domain = input.domain ?? saved?.domain ?? null;
    const email = input.email ?? saved?.email ?? null;
    // Internal to main: the stored password goes to the Ivanti client only, never into the result or an event.
    const password = input.password ?? (input.id === undefined ? null : await secrets.get(secretAccount.ivantiPassword(input.id)));
    if (!domain || !email || !password) {
      throw new AppError(
        'CREDENTIALS_MISSING',
        `Test Configuration needs the domain, the API user's email and its password${saved ? ` (the integration "${saved.name}" is missing ${[!domain && 'the domain', !email && 'the email', !password && 'the password'].filter(Boolean).join(' and ')})` : ''}.`,
        input.id === undefined ? undefined : { integrationId: input.id },
      );
    }
    return { domain, email, password };
  }
}
