import { z } from 'zod';
import { DuoConnectInput, DuoConnection, DuoDisagreements, DuoGroup, DuoUserView, DuoProgress, DuoReadSummary, DuoTestResult, DuoTestStep, TestGroupUserMatch } from '../domain/duo';
import { channel, event, NoInput, Ok } from './define';

/** The optional read-only Duo Admin API connection. Nothing here writes to Duo. */
export const duoChannels = {
  'duo.connection': channel('The Duo Admin API connection (never the secret key), or null when none is set.', NoInput, DuoConnection.nullable()),
  'duo.connect': channel('Saves the API hostname and integration key, and the secret key to the OS keychain only.', DuoConnectInput, DuoConnection),
  'duo.disconnect': channel('Forgets the connection: the keychain entry and every copy read from Duo.', NoInput, Ok),
  'duo.test': channel(
    'Tests the saved connection one check at a time (DNS, TLS, clock, credentials, permission); steps also arrive as duo.testStep events.',
    z.object({ testRunId: z.string().min(1).max(100).optional() }).strict().optional(),
    DuoTestResult,
  ),
  'duo.read': channel('Reads groups (with members), users and endpoints from Duo into the local copy; progress arrives as duo.progress events.', NoInput, DuoReadSummary),
  'duo.cancelRead': channel('Cancels a running read; the previous copy of an unfinished list is kept.', NoInput, Ok),
  'duo.groups': channel('Duo groups with their members, from the last read.', NoInput, z.array(DuoGroup)),
  'duo.userView': channel(
    'Duo\'s endpoints for a user, each beside the console\'s prediction for the device it matches (by identifier, or "likely").',
    z.object({ user: z.string().trim().min(1, 'Enter the username that signs in.').max(256) }).strict(),
    DuoUserView,
  ),
  'duo.matchUsers': channel(
    'For each test-group name, the Duo user it is (by username, alias or email) and the synced Ivanti devices of that user (by uid or emailAddress), saying which matched.',
    z.object({ names: z.array(z.string().max(320)).max(500) }).strict(),
    z.array(TestGroupUserMatch),
  ),
  'duo.disagreements': channel('Every endpoint where Duo\'s trusted_endpoint and the console\'s prediction differ, with the likely cause.', NoInput, DuoDisagreements),
  'duo.exportDisagreements': channel(
    'Writes the disagreement list to the exports folder as CSV or JSON.',
    z.object({ format: z.enum(['csv', 'json']) }).strict(),
    z.object({ file: z.string(), count: z.number().int() }),
  ),
};

export const duoEvents = {
  'duo.progress': event('Progress of a running read from Duo: list, objects so far, total, any rate-limit wait.', DuoProgress),
  'duo.testStep': event('One Duo connection check changed state while duo.test runs.', z.object({ testRunId: z.string().nullable(), step: DuoTestStep })),
};
