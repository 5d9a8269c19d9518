import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src-main/cli/cli-io';
import { createCore, type Core } from '../../../src-main/core/app/composition-root';
import { dispatch } from '../../../src-main/core/app/dispatch';
import type { OutputOf } from '../../../src-shared/contract';
import { normalizeDeviceIdentifier } from '../../../src-shared/domain/device-identifier';
import { runTec } from '../../cli/cli-harness';
import { seedDevices } from '../../support/seed-devices';
import { unusedSecretStore } from '../../support/unused-secret-store';

/**
 * One identifier, every form an admin may paste it in, every lookup: the synced check, the explorer's search, the
 * trust prediction and both CLI commands must all find the same device (one normalization: trimmed, case-insensitive).
 */
let dataDir: string;
let core: Core;
const identifiers: { platform: string; stored: string }[] = [];

async function call<C extends 'devices.find' | 'devices.search' | 'trust.verify'>(name: C, input: unknown): Promise<OutputOf<C>> {
  const envelope = await dispatch(core.handlers, name, input, { signal: new AbortController().signal });
  if (!envelope.ok) throw new Error(envelope.error.message);
  return envelope.value as OutputOf<C>;
}

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-identifier-forms-'));
  core = createCore({ dataDir, version: '0.0.0-test', transport: 'web-test-rig', secrets: unusedSecretStore });
  const db = core.services.db;
  const android = seedDevices(db, { count: 200, seed: 'forms-android', integration: { name: 'Forms Android', platform: 'android' } });
  const ios = seedDevices(db, { count: 200, seed: 'forms-ios', integration: { name: 'Forms iOS', platform: 'ios-appconfig' } });
  for (const [platform, integrationId] of [['ANDROID', android.integrationId], ['IOS', ios.integrationId]]) {
    const stored = db
      .prepare(
        "SELECT client_device_identifier FROM devices WHERE platform_type = ? AND integration_key = (SELECT key FROM integrations WHERE id = ?) AND client_device_identifier GLOB '*[A-Za-z]*' LIMIT 1",
      )
      .pluck()
      .get(platform, integrationId) as string;
    identifiers.push({ platform, stored });
  }
});
afterAll(async () => {
  await core.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function formsOf(stored: string): [string, string][] {
  return [
    ['as synced', stored],
    ['lower case', stored.toLowerCase()],
    ['upper case', stored.toUpperCase()],
    ['mixed case', stored.split('').map((c, i) => (i % 2 ? c.toLowerCase() : c.toUpperCase())).join('')],
    ['with surrounding spaces and a tab', `  ${stored}\t `],
  ];
}

describe('every lookup finds a device by its Device Client ID in any form', () => {
  it('stores the normalized form beside the identifier as Ivanti sent it', () => {
    for (const { stored } of identifiers) {
      expect(core.services.db.prepare('SELECT identifier_key FROM devices WHERE client_device_identifier = ?').pluck().get(stored)).toBe(
        normalizeDeviceIdentifier(stored),
      );
    }
    // An iOS identifier is an upper-case UUID: the form an admin retypes in lower case differs from it.
    expect(identifiers.find((i) => i.platform === 'IOS')!.stored).toMatch(/[A-Z]/);
  });

  for (const platform of ['ANDROID', 'IOS']) {
    describe(platform, () => {
      it.each([0, 1, 2, 3, 4])('form %i: synced check, search, verify, tec devices find and tec verify agree', async (n) => {
        const { stored } = identifiers.find((i) => i.platform === platform)!;
        const [, form] = formsOf(stored)[n]!;

        const found = await call('devices.find', { identifier: form });
        expect(found.map((d) => d.clientDeviceIdentifier)).toEqual([stored]);

        const searched = await call('devices.search', { query: { text: form }, offset: 0, limit: 10 });
        expect(searched.rows.map((r) => r.clientDeviceIdentifier)).toContain(stored);

        const verdict = await call('trust.verify', { user: 'someone@acme.example', identifier: form });
        expect(verdict.integrations.flatMap((i) => i.devices)).toHaveLength(1);
        expect(verdict.lead.code).not.toBe('identifier-never-synced');

        const env = { TEC_DATA_DIR: dataDir };
        const cliFind = await runTec(['devices', 'find', form, '--json'], { env });
        expect(cliFind.code).toBe(EXIT.ok);
        expect((JSON.parse(cliFind.stdout) as { clientDeviceIdentifier: string }[]).map((d) => d.clientDeviceIdentifier)).toEqual([stored]);
        const cliVerify = await runTec(['verify', '--user', 'someone@acme.example', '--identifier', form, '--json'], { env });
        expect((JSON.parse(cliVerify.stdout) as { lead: { code: string } }).lead.code).toBe(verdict.lead.code);
      });
    });
  }
});
