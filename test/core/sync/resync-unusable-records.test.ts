/**
 * Issue 19: a re-sync parses only the records it writes (DeviceStore.writePage); one found stored unchanged, by its record
 * hash and check-in time, is never parsed. A record that turned unusable since it was stored must still be refused as a
 * first sync refuses one: nothing written for it, its device still present (sighted by its Ivanti id), the space's
 * SYNC_RECORD_UNUSABLE error.
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../../../src-main/core/db/database';
import { DeviceRecord } from '../../../src-main/core/ivanti/ivanti-wire';
import type { PageSourceFactory } from '../../../src-main/core/sync/device-page-source';
import { recordHash } from '../../../src-main/core/sync/record-hash';
import type { RunningSimulator } from '../../simulator/ivanti-simulator';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useSimulatorsAfterEach } from '../../support/simulators-after-each';
import { withShutDownAfterEach } from '../../support/shut-down-after-each';
import { useTempDir } from '../../support/temp-dir';
import { engineFor as newEngine, INTEGRATION_ID, openSyncDatabase, quickRetryingClient } from './sync-fixture';

const tempDir = useTempDir('tec-resync-unusable-');
const closeAfterEach = useCloseAfterEach();
const engineFor = withShutDownAfterEach(newEngine);
const startTenant = useSimulatorsAfterEach();
let tenant: RunningSimulator | undefined;

const SPACE = { id: 9, name: 'Only space' };
const DEVICES = 300;

/** The real client, with the record of `guid` sent as `damage` makes it (what a tenant's bad record looks like to us). */
function damaging(guid: string, damage: (raw: Record<string, unknown>) => Record<string, unknown>): PageSourceFactory {
  return (credentials, hooks) => {
    const client = quickRetryingClient(credentials, hooks);
    return {
      listSpaces: (signal) => client.listSpaces(signal),
      searchDeviceRecords: async (search, signal) => {
        const page = await client.searchDeviceRecords(search, signal);
        const records = page.records.map((record) => {
          const raw = record.raw as Record<string, unknown>;
          return raw.guid === guid ? new DeviceRecord(damage({ ...raw })) : record;
        });
        return { ...page, records };
      },
      close: () => client.close(),
    };
  };
}

async function syncedTenant(seed: string): Promise<{ db: Db; guid: string; row: () => unknown }> {
  tenant = await startTenant({ devices: DEVICES, seed, spaces: [SPACE] });
  const db = closeAfterEach(openSyncDatabase(tempDir()));
  expect(await (await engineFor(db, tenant).engine.start(INTEGRATION_ID, 'manual')).finished).toMatchObject({ status: 'completed', added: DEVICES });
  const guid = [...tenant.expectedGuids()][DEVICES / 2]!;
  const select = db.prepare('SELECT * FROM devices WHERE guid = ?');
  return { db, guid, row: () => select.get(guid) };
}

/** What a run that refused the record of one stored device and stored nothing else reports. */
function refusedOne(): Record<string, unknown> {
  return {
    status: 'completed',
    complete: true,
    devicesSeen: DEVICES - 1,
    added: 0,
    changed: 0,
    removed: 0,
    errors: [expect.objectContaining({ code: 'SYNC_RECORD_UNUSABLE', space: SPACE.name })],
  };
}

describe('a re-sync that meets a stored device\'s record turned unusable', () => {
  it('refuses a record whose other field turned invalid: nothing written, the device still present', async () => {
    const { db, guid, row } = await syncedTenant('unusable-field');
    const before = row();

    const { engine } = engineFor(db, tenant!, { connect: damaging(guid, (raw) => ({ ...raw, serialNumber: 12345678 })) });
    const resync = await (await engine.start(INTEGRATION_ID, 'manual')).finished;

    expect(resync).toMatchObject(refusedOne());
    expect(row()).toEqual(before);
  });

  it.each(['lastCheckin', 'clientLastCheckin'])('refuses a record whose %s turned invalid, even with the stored record hash', async (field) => {
    const { db, guid, row } = await syncedTenant(`unusable-${field}`);
    // The damaged record's own hash stored, as a collision of the hash's 32 bits of check-in times would leave it: the
    // record looks unchanged by its hash, and only its check-in fields tell.
    const sent = [...tenant!.expectedDevices()].find((d) => d.guid === guid)!;
    const damaged = { ...sent, [field]: 'soon' };
    db.prepare('UPDATE devices SET record_hash = ? WHERE guid = ?').run(recordHash(damaged, SPACE.id), guid);
    const before = row();

    const { engine } = engineFor(db, tenant!, { connect: damaging(guid, () => damaged) });
    const resync = await (await engine.start(INTEGRATION_ID, 'manual')).finished;

    expect(resync).toMatchObject(refusedOne());
    expect(row()).toEqual(before);
  });
});
