/**
 * Issue 19: a re-sync of a tenant where nothing changed writes no device row (presence lives in the narrow sightings)
 * and does not grow the devices table or its indexes. A TEMP trigger on the engine's own connection counts every
 * insert, update and delete of a device row.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src-main/core/db/database';
import { startSimulator, type RunningSimulator } from '../../simulator/ivanti-simulator';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useTempDir } from '../../support/temp-dir';
import { engineFor, INTEGRATION_ID, openSyncDatabase } from './sync-fixture';

const tempDir = useTempDir('tec-unchanged-resync-');
const closeAfterEach = useCloseAfterEach();
let tenant: RunningSimulator | undefined;
afterEach(async () => {
  await tenant?.close();
  tenant = undefined;
});

function countDeviceWrites(db: Db): () => number {
  db.exec('CREATE TEMP TABLE device_writes (n INTEGER NOT NULL)');
  db.exec('INSERT INTO device_writes VALUES (0)');
  for (const event of ['INSERT', 'UPDATE', 'DELETE']) {
    db.exec(`CREATE TEMP TRIGGER count_device_${event.toLowerCase()} AFTER ${event} ON main.devices BEGIN UPDATE device_writes SET n = n + 1; END`);
  }
  return () => db.prepare('SELECT n FROM temp.device_writes').pluck().get() as number;
}

/** Pages held by the devices table and its indexes, after the WAL is folded into the file. */
function devicePages(db: Db): number {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return db.prepare("SELECT COUNT(*) FROM dbstat WHERE name = 'devices' OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'devices')").pluck().get() as number;
}

describe('re-sync of an unchanged tenant', () => {
  it('writes no device row and does not grow the devices table or its indexes', async () => {
    tenant = await startSimulator({ devices: 1500, seed: 'unchanged-resync' });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { engine } = engineFor(db, tenant);
    expect(await (await engine.start(INTEGRATION_ID, 'manual')).finished).toMatchObject({ status: 'completed', added: tenant.deviceCount() });

    const writes = countDeviceWrites(db);
    const pagesBefore = devicePages(db);
    const resync = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(resync).toMatchObject({ status: 'completed', complete: true, devicesSeen: tenant.deviceCount(), added: 0, changed: 0, removed: 0 });
    expect(writes()).toBe(0);
    expect(devicePages(db)).toBe(pagesBefore);
  });
});
