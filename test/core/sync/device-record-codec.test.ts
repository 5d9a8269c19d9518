import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { DeviceRecordCodec } from '../../../src-main/core/sync/device-record-codec';
import { AppError } from '../../../src-shared/errors';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir('tec-record-codec-');
const RECORD = JSON.stringify({ guid: 'g-1', deviceName: 'Zoë’s “phone” 📱', registrationState: 'ACTIVE', customAttributes: { attrs: {} } });

function open(dir: string) {
  return openDatabase({ file: path.join(dir, 'console.sqlite'), migrations }).db;
}

describe('stored device records', () => {
  it('give back exactly the text stored, in fewer bytes', () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    const stored = codec.encode(RECORD);
    expect(stored.length).toBeLessThan(Buffer.byteLength(RECORD));
    expect(codec.decode(stored, 1)).toBe(RECORD);
    db.close();
  });

  it('stay readable with the dictionary they were written with once a newer one is added', () => {
    const dir = tempDir();
    let db = open(dir);
    const old = DeviceRecordCodec.of(db).encode(RECORD);
    db.prepare('INSERT INTO device_record_dictionaries (id, dictionary) VALUES (2, ?)').run(Buffer.from('"deviceName":"Zoë’s “phone” 📱"'));
    db.close();
    db = open(dir);
    const codec = DeviceRecordCodec.of(db);
    const fresh = codec.encode(RECORD);
    expect([old[0], fresh[0]]).toEqual([1, 2]);
    expect(codec.decode(old, 1)).toBe(RECORD);
    expect(codec.decode(fresh, 1)).toBe(RECORD);
    db.close();
  });

  it('refuse a damaged record with an error that names the device and what to do', () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    const stored = codec.encode(RECORD);
    for (const damaged of [Buffer.alloc(0), Buffer.from([9, ...stored.subarray(1)]), Buffer.from([1, 0xff, 0xff, 0xff])]) {
      const error = (() => {
        try {
          codec.decode(damaged, 'guid-7');
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'DB_CORRUPT', details: { device: 'guid-7' } });
      expect((error as AppError).message).toMatch(/device guid-7 .*Sync its integration again/);
    }
    db.close();
  });
});
