import { z } from 'zod';
import { channel, NoInput, Ok } from './define';
import {
  ApiEmail,
  ApiPassword,
  Integration,
  IntegrationName,
  IntegrationStatus,
  IvantiDomain,
  Platform,
  Username,
} from '../domain/integration';

const Id = z.object({ id: z.string().min(1) }).strict();

export const CreateIntegrationInput = z
  .object({
    name: IntegrationName,
    platform: Platform,
    domain: IvantiDomain.optional(),
    email: ApiEmail.optional(),
    password: ApiPassword.optional(),
    /** Required for the legacy ios-certs platform: records an existing integration for management or migration. */
    acknowledgeLegacy: z.boolean().optional(),
  })
  .strict();

export const ApiDetailsInput = z
  .object({
    id: z.string().min(1),
    domain: IvantiDomain,
    email: ApiEmail,
    /** Omitted: keep the stored password. The password is only ever re-entered, never shown. */
    password: ApiPassword.optional(),
  })
  .strict();

export const SetStatusInput = z
  .object({ id: z.string().min(1), status: IntegrationStatus, testGroup: z.array(Username).max(10_000).optional() })
  .strict()
  .refine((v) => v.status !== 'test-group' || (v.testGroup?.length ?? 0) > 0, {
    message: 'A test group needs at least one username.',
    path: ['testGroup'],
  });

export const DeleteIntegrationInput = z
  .object({ id: z.string().min(1), confirmName: z.string(), purgeDevices: z.boolean() })
  .strict();

export const integrationChannels = {
  'integrations.list': channel('Every integration, newest first.', NoInput, z.array(Integration)),
  'integrations.get': channel('One integration.', Id, Integration),
  'integrations.create': channel('Create an integration; it starts Disabled.', CreateIntegrationInput, Integration),
  'integrations.updateApiDetails': channel('Change the Ivanti API details.', ApiDetailsInput, Integration),
  'integrations.setStatus': channel('Disable, enable for a test group, or enable for all users.', SetStatusInput, Integration),
  'integrations.delete': channel('Delete an integration and its keychain entries.', DeleteIntegrationInput, Ok),
};
