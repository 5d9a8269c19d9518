/**
 * What the admin must do on the Ivanti side, and the values to paste there, per platform. Shared so the wizard, the
 * integration page and the core's step validation (every item ticked) use the same list. Wording is ours; the facts
 * come from the seed (../shared/seed/).
 */
import type { Platform } from './integration';

export interface ChecklistItem {
  id: string;
  title: string;
  detail: string;
}

/** The identifier value: Ivanti substitutes each device's Device Client ID for this variable. */
export const DEVICE_IDENTIFIER_VARIABLE = '${deviceClientDeviceIdentifier}';

export interface AppConfigValue {
  /** What the admin looks for in Ivanti: a field label (Android) or the key to type (iOS). */
  key: string;
  value: string;
  /** iOS Apple Managed App Configuration items must be of type STRING. */
  type: 'STRING' | null;
  label: string;
}

/**
 * Android: two fields of Duo Mobile's managed configuration, found by label. iOS (App Config): two key/value items
 * of type STRING in the Apple Managed App Configuration.
 */
export function appConfigValues(platform: Platform, configurationKey: string): AppConfigValue[] {
  if (platform === 'android') {
    return [
      { label: 'Trusted Endpoints Configuration Key field', key: 'Trusted Endpoints Configuration Key', value: configurationKey, type: null },
      { label: 'Trusted Endpoint Identifier field', key: 'Trusted Endpoint Identifier', value: DEVICE_IDENTIFIER_VARIABLE, type: null },
    ];
  }
  if (platform === 'ios-appconfig') {
    // The two key NAMES have no source we can cite: the seed (steps 14 and 18) tells the admin to copy the "Trusted
    // Endpoints configuration Key" and "identifier Key" from the integration's page in the Duo Admin Panel without
    // printing them, and neither the references nor Duo's Admin API give them. Until they are entered from Duo, the UI
    // shows these names with IOS_KEY_NAMES_NOTE, asking the admin to use Duo's where they differ.
    return [
      { label: 'Configuration key item', key: 'trustedEndpointConfigurationKey', value: configurationKey, type: 'STRING' },
      { label: 'Identifier item', key: 'trustedEndpointIdentifier', value: DEVICE_IDENTIFIER_VARIABLE, type: 'STRING' },
    ];
  }
  return [];
}

/** Shown under the iOS App Config items: the key names are not issued to us by Duo (see appConfigValues). */
export const IOS_KEY_NAMES_NOTE =
  'Duo shows the two key names to use on this integration\'s page in the Duo Admin Panel ("Trusted Endpoints configuration Key" and "Trusted Endpoints identifier Key"). Compare them with the keys above and, if Duo\'s differ, type Duo\'s.';

const API_USER_ITEMS: ChecklistItem[] = [
  {
    id: 'api-user',
    title: 'A dedicated API user exists',
    detail: 'In Ivanti, under Users, add an API user just for this console and Duo, with a strong password. Its email address is also its username.',
  },
  {
    id: 'api-roles',
    title: 'The API user has the two read-only roles',
    detail: 'Append the System Read Only role (it brings User Read Only with it) and the Device Read Only role. Nothing more is needed.',
  },
  {
    id: 'api-spaces',
    title: 'Device Read Only covers every space to trust',
    detail: 'If the tenant has spaces besides the Default Space, grant Device Read Only in each space whose devices should be trusted. Devices in other spaces will not sync.',
  },
];

const CHECKLISTS: Record<Platform, ChecklistItem[]> = {
  android: [
    {
      id: 'android-enterprise',
      title: 'Android Enterprise is set up',
      detail: 'Devices must be enrolled with Android Enterprise work profiles before Ivanti can deliver a managed configuration.',
    },
    {
      id: 'distribute-app',
      title: 'Duo Mobile is approved and distributed',
      detail: 'Under Apps, add Duo Mobile from the Google Play store, approve it and its permissions, and distribute it to the users or groups who will sign in.',
    },
    {
      id: 'managed-config',
      title: 'Duo Mobile has a managed configuration with both values',
      detail: 'Add a managed configuration for Android to Duo Mobile, give it a name you will recognise, and paste the two values shown on the previous step.',
    },
    ...API_USER_ITEMS,
  ],
  'ios-appconfig': [
    {
      id: 'apns',
      title: 'The Apple MDM certificate is installed',
      detail: 'Ivanti can only manage iOS devices once its Apple push (MDM) certificate is in place.',
    },
    {
      id: 'distribute-app',
      title: 'Duo Mobile is distributed as a managed app',
      detail: 'Under Apps, add Duo Mobile from the iOS store. In its install configuration require installation, allow automatic updates and convert it to a managed app, for everyone who has the app. An unmanaged copy cannot receive the identifier.',
    },
    {
      id: 'managed-config',
      title: 'An Apple Managed App Configuration holds both items',
      detail: 'Add an Apple Managed App Configuration to Duo Mobile with the two key/value items from the previous step, each of type STRING.',
    },
    ...API_USER_ITEMS,
  ],
  'ios-certs': [
    {
      id: 'connector',
      title: 'The Cloud Connector is online',
      detail: 'The on-premises connector must be registered with the tenant and shown online before Ivanti can reach the certificate authority.',
    },
    {
      id: 'external-ca',
      title: 'The Duo certificate authority is configured',
      detail: 'An external certificate authority of type Microsoft with the SCEP URL, username, password and challenge URL of this legacy integration.',
    },
    {
      id: 'identity-config',
      title: 'An identity certificate configuration reaches the devices',
      detail: 'Dynamically generated from that CA, SHA256 with RSA, key size 2048, usable as a digital signature, enabled for the iOS device groups in every partition.',
    },
    ...API_USER_ITEMS,
  ],
};

/** Extra Ivanti-side steps when an App Config integration replaces a legacy certificate one. */
export const MIGRATION_CHECKLIST: ChecklistItem[] = [
  {
    id: 'migration-keep-legacy',
    title: 'The legacy certificate setup stays until devices have moved',
    detail: 'Leave the identity certificate configuration in place until the coverage comparison shows every device synced with its identifier under the new integration.',
  },
  {
    id: 'migration-remove-legacy',
    title: 'Plan the removal of the legacy pieces',
    detail: 'Afterwards, disable the identity certificate configuration and remove the Duo certificate authority in Ivanti, then delete the legacy integration here.',
  },
];

export function checklistFor(platform: Platform, migrating: boolean): ChecklistItem[] {
  return migrating ? [...CHECKLISTS[platform], ...MIGRATION_CHECKLIST] : CHECKLISTS[platform];
}

/** Why the certificate integration is legacy, in one place for the wizard, the list and the detail page. */
export const LEGACY_END_OF_LIFE_NOTICE =
  'Certificate-based trust for iOS is end of life: no new certificate integrations since October 2021, and certificates stopped renewing in October 2024. Use iOS (App Config) instead; keep a certificate integration only to manage or migrate an existing setup.';
