import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core/app/composition-root';
import { dispatch } from '../../src-main/core/app/dispatch';
import { EXIT } from '../../src-main/cli/cli-io';
import { runTec } from './cli-harness';
import type { TrustVerdict } from '../../src-shared/domain/trust';
import {
  clearScenarios,
  expectedReasons,
  IDENTIFIER,
  label,
  scenarios,
  STALE_REASON,
  STALE_SINCE,
  STALE_SPACE,
  USER,
  writeScenario,
  type Scenario,
} from '../core/trust/trust-scenario';

let dataDir: string;
let core: Core;

beforeAll(() => {
  // One data directory for the whole file: the CLI and the handler must read the very same database.
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-verify-'));
  core = createCore({ dataDir, version: '0.0.0-test', transport: 'web-test-rig' });
});
afterAll(async () => {
  await core.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function handlerVerdict(input: Record<string, unknown>): Promise<TrustVerdict> {
  const envelope = await dispatch(core.handlers, 'trust.verify', input, { signal: new AbortController().signal });
  if (!envelope.ok) throw new Error(envelope.error.message);
  return envelope.value as TrustVerdict;
}

/** Only `scenario` in the database (its integration named `name`, if given); returns the integration's id. */
function onlyScenario(scenario: Scenario, options: { name?: string; now?: number }): string {
  clearScenarios(core.services.db);
  return writeScenario(core.services.db, scenario, undefined, options);
}

/** `tec verify` for the scenarios' user and device on the shared data directory, with `extra` options. */
const verify = (...extra: string[]) => runTec(['verify', '--user', USER, '--identifier', IDENTIFIER, ...extra, '--data-dir', dataDir]);

const withoutTime = ({ checkedAt: _checkedAt, ...rest }: TrustVerdict) => rest;

// The CLI opens the app's own composition (no certificate inventory yet), so legacy scenarios use "no certificate".
const cases = [...scenarios(['android', 'ios-appconfig']), ...scenarios(['ios-certs']).filter((s) => s.certificate === 'missing')];

describe('tec verify gives the same verdict as the trust.verify handler', () => {
  it.each(cases.map((s) => [label(s), s] as [string, Scenario]))('%s', async (_name, scenario) => {
    onlyScenario(scenario, { now: Date.now() });
    const run = await verify('--platform', scenario.platform, '--json');
    const fromCli = JSON.parse(run.stdout) as TrustVerdict;
    const fromHandler = await handlerVerdict({ user: USER, identifier: IDENTIFIER, platform: scenario.platform });

    expect(withoutTime(fromCli)).toEqual(withoutTime(fromHandler));
    expect(fromCli.reasons.map((r) => r.code).sort()).toEqual(expectedReasons(scenario).sort());
    expect(run.code).toBe(fromCli.answer === 'trusted' ? EXIT.ok : fromCli.answer === 'cant-tell' ? EXIT.cantTell : EXIT.negative);
  });
});

describe('tec verify output and errors', () => {
  it('prints each reason on its own line and exits 7 when not trusted', async () => {
    onlyScenario({ platform: 'android', status: 'disabled', device: 'retired', sync: 'old', certificate: null }, { name: 'Acme Android', now: Date.now() });
    const run = await verify();
    expect(run.code).toBe(7);
    expect(run.stdout).toMatch(/^NOT TRUSTED: .*\n  Why: Ivanti reports the device as RETIRED in "Acme Android".*\n  What to do: Re-enroll the device in Ivanti/);
    expect(run.stdout).toContain('  - Integration disabled [Acme Android]: ');
    expect(run.stdout).toContain('  - Device retired [Acme Android]: ');
  });

  it("says it can't tell, why and what to do, and exits 8, for a device known only from a space the last sync could not read", async () => {
    onlyScenario({ platform: 'android', status: 'all-users', device: 'active', sync: 'space-stale', certificate: null }, { name: 'Acme Android' });
    const run = await verify();
    expect(run.code).toBe(8);
    expect(run.stdout.split('\n').slice(0, 3)).toEqual([
      `CAN'T TELL: ${USER} on device ${IDENTIFIER}.`,
      `  Why: Our copy of the space "${STALE_SPACE}" in "Acme Android" is stale since ${new Date(STALE_SINCE).toISOString()}: ${STALE_REASON}`,
      '  What to do: In Ivanti, assign the Device Read Only role in that space to the API user of "Acme Android", then sync again. Until then the console cannot predict Duo\'s answer for this device.',
    ]);
  });

  it('does not trust a Windows device through an Android integration, and leads with its platform (exit 7)', async () => {
    const id = onlyScenario({ platform: 'android', status: 'all-users', device: 'active', sync: 'fresh', certificate: null }, { name: 'Acme Android', now: Date.now() });
    core.services.db.prepare("UPDATE devices SET platform_type = 'WINDOWS_PHONE' WHERE integration_key = (SELECT key FROM integrations WHERE id = ?)").run(id);
    const run = await verify('--platform', 'android');
    expect(run.code).toBe(7);
    expect(run.stdout.split('\n').slice(0, 2)).toEqual([
      `NOT TRUSTED: ${USER} on device ${IDENTIFIER}.`,
      `  Why: The device with Device Client ID ${IDENTIFIER} is a Windows device in Ivanti; an Android integration covers Android devices only.`,
    ]);
  });

  it('says which integration trusts the device and exits 0', async () => {
    onlyScenario({ platform: 'android', status: 'all-users', device: 'active', sync: 'fresh', certificate: null }, { name: 'Acme Android', now: Date.now() });
    const run = await verify();
    expect(run.stdout).toBe(`TRUSTED: ${USER} on device ${IDENTIFIER}, through "Acme Android".\n`);
    expect(run.code).toBe(0);
  });

  it('rejects a missing --user or an unknown platform as a usage error (exit 2) with the contract message', async () => {
    const noUser = await runTec(['verify', '--identifier', IDENTIFIER, '--data-dir', dataDir]);
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toContain('Enter the username that signs in.');
    const badPlatform = await verify('--platform', 'windows', '--json');
    expect(badPlatform.code).toBe(2);
    expect(JSON.parse(badPlatform.stdout).error.code).toBe('VALIDATION_FAILED');
  });
});
