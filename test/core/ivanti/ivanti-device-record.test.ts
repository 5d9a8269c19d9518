import { describe, expect, it } from 'vitest';
import { DeviceRecord, DeviceSpace, IvantiDeviceRecord, IvantiErrorEnvelope, parseIvantiDevice, ReceivedSearchAnswer, recordSpans, spansByFirstMembers } from '../../../src-main/core/ivanti/ivanti-wire';

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

describe("a search page's record texts", () => {
  /** Each record's text as recordSpans finds it in `body`, or null. */
  const textsIn = (body: string, expected: number) => {
    const spans = recordSpans(body, expected);
    return spans === null ? null : Array.from({ length: expected }, (_, i) => body.slice(spans[2 * i], spans[2 * i + 1]));
  };
  const page = (records: string) => `{"result":{"searchResults":[${records}],"totalCount":9,"offset":0},"errors":[]}`;
  // Strings holding what ends a record or the array, escaped quotes and backslashes, nested objects and arrays, and
  // records that are not objects (unusable ones are still in the page's order).
  const records: unknown[] = [
    { ...minimal, deviceName: 'Ada\'s "tablet" },{]', note: '\\', attrs: { a: [1, { b: '}' }] } },
    { ...minimal, id: 1000002, deviceName: 'x\\"y', list: [] },
    null,
    7,
    'text, with ] and }',
    [],
    {},
  ];

  it('finds each record as the page writes it, the text its parse came from', () => {
    expect(textsIn(page(records.map((r) => JSON.stringify(r)).join(',')), records.length)).toEqual(records.map((r) => JSON.stringify(r)));
    // White space between the records is not theirs.
    expect(textsIn(page(' {"a":1} ,\n\t{"b": 2}\r\n '), 2)).toEqual(['{"a":1}', '{"b": 2}']);
    expect(textsIn(page(''), 0)).toEqual([]);
  });

  it('finds none where it cannot tell which array holds the records, or the page holds another number of them', () => {
    const written = records.map((r) => JSON.stringify(r)).join(',');
    expect(textsIn(page(written), records.length - 1)).toBeNull();
    expect(textsIn(page(written), records.length + 1)).toBeNull();
    // The key written otherwise than as the console asks (`"searchResults": [`), or also inside a record.
    expect(textsIn(page(written).replace('"searchResults":[', '"searchResults": ['), records.length)).toBeNull();
    expect(textsIn(page(`{"searchResults":[1]},${written}`), records.length + 1)).toBeNull();
    // Cut short inside the array.
    const body = page(written);
    expect(textsIn(body.slice(0, body.indexOf('],"totalCount"') - 3), records.length)).toBeNull();
  });

  it('gives a record its text through its answer, and none to a record read without one', () => {
    const body = page(records.map((r) => JSON.stringify(r)).join(','));
    const parsed = (JSON.parse(body) as { result: { searchResults: unknown[] } }).result.searchResults;
    const text = new ReceivedSearchAnswer(body, parsed.length, parsed);
    expect(parsed.map((raw, index) => new DeviceRecord(raw, text, index).text())).toEqual(records.map((r) => JSON.stringify(r)));
    expect(new DeviceRecord(parsed[0]).text()).toBeNull();
    expect(new DeviceRecord(parsed[0], new ReceivedSearchAnswer(body, parsed.length + 1, [...parsed, {}]), 0).text()).toBeNull();
    // Objects only, each beginning with a number, string, boolean or null: found by their beginnings.
    const objects = [records[0], records[1], { deviceName: 'z', id: 3 }, { ok: true }, { none: null, a: [] }, {}];
    const objectsBody = page(objects.map((r) => JSON.stringify(r)).join(','));
    const objectsParsed = (JSON.parse(objectsBody) as { result: { searchResults: unknown[] } }).result.searchResults;
    const objectsText = new ReceivedSearchAnswer(objectsBody, objectsParsed.length, objectsParsed);
    expect(objectsParsed.map((raw, index) => new DeviceRecord(raw, objectsText, index).text())).toEqual(objects.map((r) => JSON.stringify(r)));
  });

  it('finds records by their beginnings only in a page written as JSON.stringify writes it', () => {
    const objects = [{ id: 1, name: 'a' }, { id: 2, list: [1, { id: 2 }] }, { id: 3 }];
    const spans = (body: string) => {
      const found = spansByFirstMembers(body, (JSON.parse(body) as { result: { searchResults: unknown[] } }).result.searchResults);
      return found === null ? null : Array.from({ length: objects.length }, (_, i) => body.slice(found[2 * i], found[2 * i + 1]));
    };
    expect(spans(page(objects.map((r) => JSON.stringify(r)).join(',')))).toEqual(objects.map((r) => JSON.stringify(r)));
    expect(spans(page(objects.map((r) => JSON.stringify(r, null, 1)).join(',')))).toBeNull();
    expect(spans(page(objects.map((r) => JSON.stringify(r)).join(', ')))).toBeNull();
    // A record holding the next one's beginning: the two are cut there, texts that no stored record has.
    const nested = [{ id: 1, list: [0, { id: 2 }] }, { id: 2 }, { id: 3 }];
    const nestedBody = page(nested.map((r) => JSON.stringify(r)).join(','));
    const found = spansByFirstMembers(nestedBody, nested)!;
    expect(nestedBody.slice(found[0], found[1])).toBe('{"id":1,"list":[0');
  });
});
