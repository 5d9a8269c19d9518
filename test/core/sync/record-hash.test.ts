import { describe, expect, it } from 'vitest';
import { compareRecordHashes, recordHash } from '../../../src-main/core/sync/record-hash';

const RECORD = {
  id: 7,
  guid: 'b3c1a2d4-0000-4000-8000-000000000007',
  platformType: 'ANDROID',
  registrationState: 'ACTIVE',
  lastCheckin: 1_764_998_400_000,
  clientLastCheckin: 1_764_998_300_000,
  complianceState: true,
  customAttributes: { attrs: { lastCheckin: ['kept'] } },
};

describe('record hash', () => {
  it('tells a record whose check-in times alone moved from one whose content changed', () => {
    const stored = recordHash(structuredClone(RECORD), 1);
    expect(stored.length).toBe(16);
    expect(compareRecordHashes(stored, recordHash(structuredClone(RECORD), 1))).toBe('unchanged');
    expect(compareRecordHashes(stored, recordHash({ ...RECORD, lastCheckin: RECORD.lastCheckin + 60_000 }, 1))).toBe('checked-in');
    expect(compareRecordHashes(stored, recordHash({ ...RECORD, clientLastCheckin: RECORD.clientLastCheckin + 1 }, 1))).toBe('checked-in');
    expect(compareRecordHashes(stored, recordHash({ ...RECORD, clientLastCheckin: null }, 1))).toBe('checked-in');
    // Ivanti's scan time moves on its own as the check-in times do (VOLATILE_FIELDS): no content change either.
    expect(compareRecordHashes(stored, recordHash({ ...RECORD, lastScannedTime: 1_764_998_500_000 }, 1))).toBe('checked-in');
    expect(compareRecordHashes(stored, recordHash({ ...RECORD, complianceState: false, lastCheckin: 1 }, 1))).toBe('changed');
    expect(compareRecordHashes(stored, recordHash({ ...RECORD, customAttributes: { attrs: { lastCheckin: ['other'] } } }, 1))).toBe('changed');
    // A device moved to another space is rewritten even when its record is the same.
    expect(compareRecordHashes(stored, recordHash(structuredClone(RECORD), 2))).toBe('changed');
    // An older format (schema 19's base64 text), or nothing stored.
    expect(compareRecordHashes('3q2+7wAAAAAAAAAAAAAAAAAAAAA=', stored)).toBe('changed');
    expect(compareRecordHashes(Buffer.alloc(0), stored)).toBe('changed');
  });

  it('gives the same 16 bytes as every earlier version for the same record (stored hashes stay comparable)', () => {
    // Computed with the hash as migration 0020 introduced it. A change here makes every stored device look changed
    // (or, worse, changed ones unchanged) on the next sync.
    const record = { ...RECORD, clientLastCheckin: '1764998300000', deviceName: 'Zoë’s Pixel \u{1F4F1}', lastScannedTime: null };
    expect(recordHash(structuredClone(record), 1).toString('hex')).toBe('8e996adb60a831c3521f70fe20dfc18c');
    expect(recordHash(structuredClone(record), 2 ** 40 + 3).toString('hex')).toBe('8e996bdb60a831c1521f70fe20dfc18c');
    const { lastCheckin: _a, clientLastCheckin: _b, lastScannedTime: _c, ...withoutTimes } = record;
    expect(recordHash(withoutTimes, 1).toString('hex')).toBe('8e996adb60a831c3521f70fe16835645');
  });

  it('gives the same hash from the record and its text as from the record alone, wherever the check-in fields are', () => {
    const records: Record<string, unknown>[] = [
      RECORD,
      { lastCheckin: 1, id: 7, clientLastCheckin: '2', lastScannedTime: null },
      { id: 7, lastCheckin: 1 },
      { lastCheckin: 1 },
      { lastScannedTime: null, clientLastCheckin: 1, lastCheckin: 1 },
      { id: 7, guid: 'g' },
      {},
      { deviceName: 'Zoë’s "Pixel" \u{1F4F1}', lastCheckin: 1, note: '"lastCheckin":1' },
      // The same member in a nested object, before and after the record's own: only the record's own is left out.
      { attrs: { lastCheckin: 1 }, lastCheckin: 1, clientLastCheckin: 2 },
      { lastCheckin: 1, attrs: [{ lastCheckin: 1 }], clientLastCheckin: { lastCheckin: 1 } },
      // The member's text inside a key before the record's own, with nothing nested before either.
      { 'x"lastCheckin': 1, lastCheckin: 1 },
      { 'x"clientLastCheckin': 2, id: 7, 'y"lastCheckin': 1, clientLastCheckin: 2, lastCheckin: 1 },
      // A brace or bracket in a string before the record's own member, and a comma or brace ending a key before it.
      { note: '{[', 'a,': 1, lastCheckin: 1, '{': 2, clientLastCheckin: 2 },
      // Check-in members next to each other, first, last, in any order, and one holding an object before another.
      { id: 7, lastCheckin: 1, clientLastCheckin: 2, lastScannedTime: 3 },
      { lastCheckin: 1, clientLastCheckin: 2, id: 7, lastScannedTime: 3, guid: 'g' },
      { lastScannedTime: 3, id: 7, clientLastCheckin: 2, lastCheckin: 1 },
      { clientLastCheckin: { a: [1] }, id: 7, lastCheckin: 1 },
    ];
    for (const record of records) {
      const text = JSON.stringify(record);
      expect(recordHash(structuredClone(record), 3, text).toString('hex')).toBe(recordHash(structuredClone(record), 3).toString('hex'));
      expect(JSON.stringify(record)).toBe(text);
    }
  });

  it('leaves the record as it was, its text and member order included', () => {
    const record = structuredClone(RECORD);
    const text = JSON.stringify(record);
    recordHash(record, 1);
    expect(JSON.stringify(record)).toBe(text);
    expect(Object.keys(record)).toEqual(Object.keys(RECORD));
    const without: Record<string, unknown> = { id: 8, guid: 'g' };
    recordHash(without, 1);
    expect(Object.keys(without)).toEqual(['id', 'guid']);
  });
});
