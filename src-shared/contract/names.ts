/**
 * The contract's channel and event names as plain strings, for the preload: importing them from the contract would
 * bundle zod into it (235 kB for a list of names). test/electron/preload-surface.test.ts checks that these lists
 * equal the contract's, and the type below refuses a list that misses or invents a name.
 */
import type { Channel, EventName } from './index';

export const CHANNEL_NAMES = [
  'app.info',
  'keychain.probe',
  'settings.get',
  'settings.update',
  'integrations.list',
  'integrations.get',
  'integrations.create',
  'integrations.updateApiDetails',
  'integrations.setStatus',
  'integrations.delete',
  'integrations.overview',
  'integrations.enterConfigurationKey',
  'integrations.compareCoverage',
  'audit.list',
  'audit.verify',
  'audit.choices',
  'devices.search',
  'devices.count',
  'devices.facets',
  'devices.get',
  'savedSearches.list',
  'savedSearches.save',
  'savedSearches.delete',
  'export.start',
  'export.cancel',
  'sync.start',
  'sync.cancel',
  'sync.status',
  'sync.runs',
  'sync.changes',
  'devices.find',
  'integrations.testConfiguration',
  'trust.verify',
  'wizard.list',
  'wizard.start',
  'wizard.get',
  'wizard.update',
  'wizard.storePassword',
  'wizard.next',
  'wizard.back',
  'wizard.testConfiguration',
  'wizard.checkIdentifier',
  'wizard.discard',
  'certificates.list',
  'certificates.expiryWarnings',
  'certificates.getProfile',
  'certificates.saveProfile',
  'certificates.testConfiguration',
  'certificates.cancelTest',
  'certificates.exportTestKey',
  'duo.connection',
  'duo.connect',
  'duo.disconnect',
  'duo.test',
  'duo.read',
  'duo.cancelRead',
  'duo.groups',
  'duo.userView',
  'duo.matchUsers',
  'duo.disagreements',
  'duo.exportDisagreements',
] as const satisfies readonly Channel[];

export const EVENT_NAMES = [
  'app.notice',
  'app.upgrade',
  'export.progress',
  'sync.progress',
  'sync.finished',
  'integrations.testStep',
  'certificates.testProgress',
  'duo.progress',
  'duo.testStep',
] as const satisfies readonly EventName[];

// The type-check fails here when the contract gains a channel or event that is not listed above (add it).
type UnlistedChannel = Exclude<Channel, (typeof CHANNEL_NAMES)[number]>;
type UnlistedEvent = Exclude<EventName, (typeof EVENT_NAMES)[number]>;
const everyChannelListed: [UnlistedChannel] extends [never] ? true : UnlistedChannel = true;
const everyEventListed: [UnlistedEvent] extends [never] ? true : UnlistedEvent = true;
export const CONTRACT_NAMES_COMPLETE = everyChannelListed && everyEventListed;
