import { describe, expect, it } from 'vitest';
import { DeviceRecord, DeviceSpace, IvantiDeviceRecord, IvantiErrorEnvelope, parseIvantiDevice } from '../../../src-main/core/ivanti/ivanti-wire';

const minimal = { id: 1000001, guid: 'b3f1c2d4-0000-4000-8000-000000000001', platformType: 'ANDROID', registrationState: 'ACTIVE' };

describe('Ivanti device record parsing', () => {
  it('fills every optional field the tenant left out with null, and empty lists and maps', () => {
    const parsed = parseIvantiDevice(minimal);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.device).toMatchObject({ clientDeviceIdentifier: null, lastCheckin: null, blocked: null, dmPartitionId: null, violatedPolicies: [], customAttributes: {} });
  });

  it('treats "" (Android) and null (Windows) alike, and accepts epoch-ms and ids as digit strings', () => {
    const parsed = parseIvantiDevice({ ...minimal, id: '1000001', imei2: '', meid: null, lastCheckin: '1795824000000', clientLastCheckin: '', policyViolationCount: '2' });
    expect(parsed).toMatchObject({ ok: true, device: { id: 1000001, imei2: null, meid: null, lastCheckin: 1795824000000, clientLastCheckin: null, policyViolationCount: 2 } });
  });

  it('keeps the record as sent, unknown fields included, in raw', () => {
    const sent = { ...minimal, imei2: '', futureField: { nested: [1, 2] } };
    const parsed = parseIvantiDevice(sent);
    expect(parsed.ok && parsed.device.raw).toBe(sent);
  });

  it('reads custom attributes as lists of strings', () => {
    const parsed = parseIvantiDevice({ ...minimal, customAttributes: { attrs: { costCenter: ['4001'], floor: [3], empty: null } } });
    expect(parsed.ok && parsed.device.customAttributes).toEqual({ costCenter: ['4001'], floor: ['3'], empty: [] });
  });

  it('rejects a record without a guid or with wrongly typed fields, naming the fields but never their values', () => {
    const parsed = parseIvantiDevice({ id: 7, platformType: 'IOS', registrationState: 'ACTIVE', jailbroken: 'no', serialNumber: 12345678, lastCheckin: 'yesterday' });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual([
      'guid: expected a non-empty string',
      'serialNumber: expected a string or null',
      'lastCheckin: expected epoch milliseconds',
      'jailbroken: expected a boolean or null',
    ]);
    expect(parsed.problems.join(' ')).not.toContain('12345678');
  });

  it('checks every field it knows by the kind the wire sends, listing each refused one in the order of the device', () => {
    // An object is no field's value except customAttributes' (whose malformed values read as none): every other field
    // is refused, each with what its kind expects.
    const everyField = [
      ['id', 'expected an integer'],
      ...['guid', 'platformType', 'registrationState'].map((field) => [field, 'expected a non-empty string']),
      ...['mdmChannelId', 'clientDeviceIdentifier', 'windowsDeviceType', 'platformVersion', 'osBuildVersion', 'uid', 'emailAddress', 'displayName', 'firstName', 'lastName', 'ownerId', 'serialNumber', 'imei', 'imei2', 'imsi', 'meid', 'iccid', 'udid', 'wifiMacAddress', 'phoneNumber', 'ipAddress', 'deviceModel', 'deviceName', 'prettyModel', 'manufacturer', 'entityName', 'ownershipType', 'dmPartitionName'].map((field) => [field, 'expected a string or null']),
      ...['lastCheckin', 'clientLastCheckin', 'lastRegistrationTime'].map((field) => [field, 'expected epoch milliseconds']),
      ...['complianceState', 'quarantined', 'jailbroken', 'blocked', 'supervised', 'depEnrolled', 'mamOnly', 'authOnly'].map((field) => [field, 'expected a boolean or null']),
      ...['policyViolationCount', 'dmPartitionId'].map((field) => [field, 'expected an integer']),
      ['violatedPolicies', 'expected a list'],
    ];
    const parsed = parseIvantiDevice(Object.fromEntries([...everyField.map(([field]) => [field, {}]), ['customAttributes', {}]]));
    expect(parsed).toEqual({ ok: false, problems: everyField.map(([field, expected]) => `${field}: ${expected}`) });
    // And each accepts its kind: the same fields, well typed, parse to a device with exactly the members listed.
    const valid = parseIvantiDevice({ ...minimal, lastCheckin: 1795824000000, complianceState: true, policyViolationCount: 2, uid: 'alice' });
    expect(valid.ok && Object.keys(valid.device).sort()).toEqual([...everyField.map(([field]) => field), 'customAttributes', 'raw'].sort());
  });

  it('judges a record received unparsed by the id its parse gives, or an unusable record its numeric id', () => {
    // As the sync judged pages before records were parsed on demand: a parsed device's id; an unusable record's id
    // when a finite number, else none.
    const cases: [unknown, number | null][] = [
      [minimal, 1000001],
      [{ ...minimal, id: '1000001' }, 1000001],
      [{ ...minimal, guid: '', id: '1000001' }, null],
      [{ ...minimal, guid: '', id: 1000001 }, 1000001],
      [{ ...minimal, id: 1000001.5 }, 1000001.5],
      [{ ...minimal, id: 'x1' }, null],
      [{ ...minimal, id: true }, null],
      [null, null],
      [[], null],
      ['text', null],
    ];
    for (const [raw, id] of cases) expect(new DeviceRecord(raw).id).toBe(id);
  });

  it('reads a received record\'s check-in time as the parse gives it, and none when a check-in field would fail the parse', () => {
    for (const field of ['lastCheckin', 'clientLastCheckin'] as const) {
      for (const value of [1795824000000, '1795824000000', '', null, undefined, 'yesterday', true, {}, 1.5]) {
        const raw = { ...minimal, lastCheckin: 1795824000001, [field]: value };
        const parsed = parseIvantiDevice(raw);
        expect(new DeviceRecord(raw).checkIn()).toBe(parsed.ok ? parsed.device.lastCheckin : undefined);
      }
    }
  });

  it('offers the same parsing as a zod schema', () => {
    expect(IvantiDeviceRecord.safeParse(minimal).success).toBe(true);
    expect(IvantiDeviceRecord.safeParse([]).success).toBe(false);
  });

  it('parses spaces and the documented error envelope', () => {
    expect(DeviceSpace.parse({ id: '33533', name: 'Default Space', defaultPartition: true, deviceCount: 3, priority: 0, domainRule: null })).toEqual({
      id: 33533,
      name: 'Default Space',
      defaultSpace: true,
      listedDeviceCount: 3,
      priority: 0,
    });
    const envelope = IvantiErrorEnvelope.parse({
      errors: { globalErrors: null, fieldErrors: [{ code: 'Range', message: 'must be between 1 and 500', field: 'rows' }] },
      result: null,
    });
    expect(envelope.errors).toEqual({ globalErrors: [], fieldErrors: [{ code: 'Range', message: 'must be between 1 and 500', field: 'rows' }] });
  });
});
