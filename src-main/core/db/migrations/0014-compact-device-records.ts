import zlib from 'node:zlib';
import type { Migration } from '../migration';

/** Rows rewritten per step; progress is reported after each. */
const BATCH = 20_000;

/**
 * Dictionary 1: what most Ivanti device records repeat, so a record of ~1.3 KB deflates to ~300 bytes instead of ~700
 * (zlib finds a record's field names and usual values here and codes each as a back-reference). Only the fields and
 * values documented for `GET /api/v1/device` (reference/ivanti-api.md, "Device record"), none of the simulator's own,
 * so the gain measured on simulated tenants is what a real tenant gets. zlib favours what comes last: the commonest
 * fragments are at the end. Stored in the database with its id (below), never edited: another dictionary is a new row.
 */
const DICTIONARY_1 = [
  '"windowsDeviceType":"WINDOWS_DESKTOP","windowsDeviceType":"WINDOWS_PHONE","platformType":"WINDOWS_PHONE","platformType":"OTHER",',
  '"registrationState":"RETIRE_PENDING","registrationState":"RETIRED","violatedPolicies":["Out of Contact"],"ownershipType":"EMPLOYEE",',
  '"ownershipType":"UNKNOWN","imsi":"Not Present","blocked":null,"supervised":true,"depEnrolled":true,"complianceState":false,',
  '"customAttributes":{"attrs":{}},"policyViolationCount":1,"quarantined":true,"jailbroken":true,',
  '{"id":1000001,"guid":"","mdmChannelId":"","platformType":"IOS","registrationState":"ACTIVE","lastCheckin":1700000000000,',
  '"clientLastCheckin":1700000000000,"lastRegistrationTime":1700000000000,"complianceState":true,"policyViolationCount":0,',
  '"violatedPolicies":[],"quarantined":false,"uid":"","emailAddress":"","displayName":"","firstName":"","lastName":"","ownerId":null,',
  '"ownershipType":"COMPANY","dmPartitionId":1,"dmPartitionName":"Default Space","customAttributes":{"attrs":{"":[""]}},',
  '"clientDeviceIdentifier":"","platformVersion":"","osBuildVersion":"","manufacturer":"Apple","deviceModel":"iPhone","prettyModel":"iPhone",',
  '"deviceName":"","entityName":"","serialNumber":"","imei":"","udid":"","wifiMacAddress":"","iccid":"","phoneNumber":null,"jailbroken":false,',
  '"blocked":false,"supervised":false,"depEnrolled":false,"mamOnly":false,"authOnly":false}',
  '{"id":1000002,"guid":"","mdmChannelId":"","platformType":"ANDROID","registrationState":"ACTIVE","lastCheckin":1700000000000,',
  '"clientLastCheckin":1700000000000,"lastRegistrationTime":1700000000000,"complianceState":true,"policyViolationCount":0,',
  '"violatedPolicies":[],"quarantined":false,"uid":"","emailAddress":"","displayName":"","firstName":"","lastName":"","ownerId":null,',
  '"ownershipType":"COMPANY","dmPartitionId":1,"dmPartitionName":"Default Space","customAttributes":{"attrs":{}},',
  '"clientDeviceIdentifier":"","platformVersion":"","osBuildVersion":"","manufacturer":"samsung","deviceModel":"","prettyModel":"",',
  '"deviceName":"","entityName":"","serialNumber":"","imei":"","imei2":"","meid":"","imsi":"","iccid":"","udid":"","wifiMacAddress":"",',
  '"phoneNumber":"","jailbroken":false,"blocked":false,"supervised":null,"depEnrolled":false,"mamOnly":false,"authOnly":false}',
].join('');

/**
 * Raw records stored compactly (issue 19): `devices.raw` (the record as the tenant sent it, JSON text, ~1.3 KB and
 * most of the table) becomes `devices.raw_record`, a BLOB: one byte naming the dictionary, then the JSON's UTF-8
 * deflated (raw deflate, zlib's default level) with that dictionary as preset. Inflating gives back the exact text stored
 * before, so the drawer's raw view and the exports are unchanged. The dictionaries live in
 * `device_record_dictionaries`, so every version of the console reads every stored record without a copy of them in
 * code (core/sync/device-record-codec.ts writes with the newest).
 *
 * It rewrites every device row, so it reports progress; all migrations run in one transaction, so a kill mid-way
 * leaves the previous schema intact and the next start begins again. The pages freed are reused by later syncs (the
 * file itself shrinks only with a VACUUM, which cannot run inside that transaction).
 */
export const compactDeviceRecords: Migration = {
  version: 14,
  name: 'device records stored compressed',
  up(db, progress) {
    db.exec(`
      CREATE TABLE device_record_dictionaries (
        id         INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 255),
        dictionary BLOB NOT NULL
      ) STRICT;
      ALTER TABLE devices ADD COLUMN raw_record BLOB NOT NULL DEFAULT x'';
    `);
    const dictionary = Buffer.from(DICTIONARY_1, 'utf8');
    db.prepare('INSERT INTO device_record_dictionaries (id, dictionary) VALUES (1, ?)').run(dictionary);
    const prefix = Buffer.from([1]);
    db.function('tec_deflate_record_1', { deterministic: true }, (raw: unknown) =>
      Buffer.concat([prefix, zlib.deflateRawSync(Buffer.from(String(raw), 'utf8'), { dictionary })]),
    );
    const { total, last } = db.prepare('SELECT COUNT(*) AS total, COALESCE(MAX(id), 0) AS last FROM devices').get() as { total: number; last: number };
    const rewrite = db.prepare('UPDATE devices SET raw_record = tec_deflate_record_1(raw), raw = \'\' WHERE id > ? AND id <= ?');
    let done = 0;
    progress(0, total);
    for (let from = 0; from < last; from += BATCH) {
      done += rewrite.run(from, from + BATCH).changes;
      progress(done, total);
    }
    db.exec('ALTER TABLE devices DROP COLUMN raw');
  },
};
