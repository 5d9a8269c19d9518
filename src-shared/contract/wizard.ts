/**
 * The setup wizard: a draft per setup, stored in SQLite so quitting the app mid-way resumes at the same step with the
 * same values. The API password never travels back: it goes to the keychain at once (`wizard.storePassword`) and the
 * draft answers only `passwordStored`.
 */
import { z } from 'zod';
import { channel, NoInput, Ok } from './define';
import { EntityId } from '../domain/entity-id';
import {
  ApiEmail,
  ApiPassword,
  IntegrationStatus,
  IvantiDomain,
  MDM,
  Platform,
  TestGroupDuoGroup,
  Username,
} from '../domain/integration';
import { TestConfigurationResult } from '../domain/test-configuration';

export const WIZARD_STEPS = [
  'mdm',
  'platform',
  'values',
  'checklist',
  'api-details',
  'test',
  'first-sync',
  'identifier',
  'activation',
  'done',
] as const;
export const WizardStep = z.enum(WIZARD_STEPS);
export type WizardStep = z.infer<typeof WizardStep>;

export const WIZARD_STEP_TITLES: Record<WizardStep, string> = {
  mdm: 'Device management tool',
  platform: 'Platform',
  values: 'Values for Ivanti',
  checklist: 'Ivanti checklist',
  'api-details': 'API details',
  test: 'Test Configuration',
  'first-sync': 'First sync',
  identifier: 'Device identifier check',
  activation: 'Activation',
  done: 'Done',
};

export const IdentifierCheck = z.object({
  identifier: z.string(),
  found: z.boolean(),
  checkedAt: z.iso.datetime(),
});
export type IdentifierCheck = z.infer<typeof IdentifierCheck>;

export const Activation = z.object({ status: IntegrationStatus, testGroup: z.array(z.string()), duoGroup: TestGroupDuoGroup.nullable().optional() });
export type Activation = z.infer<typeof Activation>;

/** What the draft stores (JSON in wizard_drafts.state). Never a secret. */
export const WizardDraftState = z.object({
  mdm: MDM.nullable(),
  platform: Platform.nullable(),
  name: z.string(),
  acknowledgeLegacy: z.boolean(),
  checklist: z.record(z.string(), z.boolean()),
  domain: z.string(),
  email: z.string(),
  /** True once a password went to the keychain for this setup; the answer also checks the keychain still has it. */
  passwordStored: z.boolean(),
  /** The last Test Configuration with the current details; cleared when a detail changes. */
  testResult: TestConfigurationResult.nullable(),
  identifierCheck: IdentifierCheck.nullable(),
  activation: Activation,
  /** The legacy certificate integration this setup replaces, if any. */
  migratedFrom: z.string().nullable(),
});
export type WizardDraftState = z.infer<typeof WizardDraftState>;

export const WizardDraft = WizardDraftState.extend({
  id: z.string(),
  step: WizardStep,
  integrationId: z.string().nullable(),
  configurationKey: z.string().nullable(),
  /** False for a key an earlier version generated (Duo never issued it); null while there is no key. */
  configurationKeyFromDuo: z.boolean().nullable(),
  /** When the integration's last completed sync finished (gates the first-sync step). */
  lastCompletedSyncAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
});
export type WizardDraft = z.infer<typeof WizardDraft>;

const DraftId = z.object({ id: EntityId }).strict();

/** Values saved as typed; each is checked again when its step is completed. */
export const WizardValues = z
  .object({
    mdm: MDM,
    platform: Platform,
    name: z.string().max(200),
    acknowledgeLegacy: z.boolean(),
    checklist: z
      .record(z.string().max(100), z.boolean())
      .refine((items) => Object.keys(items).length <= 100, 'The checklist has at most 100 items.'),
    domain: z.string().max(300),
    email: z.string().max(320),
    activation: z.object({ status: IntegrationStatus, testGroup: z.array(Username).max(10_000), duoGroup: TestGroupDuoGroup.nullable().optional() }),
  })
  .partial()
  .strict()
  // Electron's IPC keeps a key whose value is undefined; "no value" is said by leaving the key out.
  .superRefine((values, context) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) context.addIssue({ code: 'custom', path: [key], message: 'A value is required; leave the field out to keep it as it is.' });
    }
  });
export type WizardValues = z.infer<typeof WizardValues>;

export const wizardChannels = {
  'wizard.list': channel('Setups started and not finished, newest first.', NoInput, z.array(WizardDraft)),
  'wizard.start': channel(
    'Start a setup; with migrateFrom, an iOS App Config setup replacing that legacy certificate integration.',
    z.object({ migrateFrom: EntityId.optional() }).strict(),
    WizardDraft,
  ),
  'wizard.get': channel('One setup draft.', DraftId, WizardDraft),
  'wizard.update': channel('Save values as typed, without changing step.', z.object({ id: EntityId, values: WizardValues }).strict(), WizardDraft),
  'wizard.storePassword': channel(
    "Put the API user's password in the keychain now; the draft records only that it is stored.",
    z.object({ id: EntityId, password: ApiPassword }).strict(),
    WizardDraft,
  ),
  'wizard.next': channel("Check the current step's values, do what the step does, and move on.", DraftId, WizardDraft),
  'wizard.back': channel('Go back one step.', DraftId, WizardDraft),
  'wizard.testConfiguration': channel(
    "Run Test Configuration with the draft's API details (progress as integrations.testStep events); the result is kept in the draft.",
    z.object({ id: EntityId, testRunId: z.string().min(1).max(100).optional() }).strict(),
    WizardDraft,
  ),
  'wizard.checkIdentifier': channel(
    'Has a device with this Device Client ID synced into the new integration?',
    z.object({ id: EntityId, identifier: z.string().trim().min(1, 'Enter a Device Client ID.').max(512) }).strict(),
    WizardDraft,
  ),
  'wizard.discard': channel('Forget a setup draft. An integration it already created stays (disabled).', DraftId, Ok),
};

/** Field validation for the API details step, shared by the form (as typed) and the core (on Next). */
export const ApiDetailsFields = z.object({ domain: IvantiDomain, email: ApiEmail });
