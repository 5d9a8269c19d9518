/**
 * What the Ivanti Neurons for MDM REST API sends, parsed tolerantly (facts: ../shared/reference/ivanti-api.md).
 *
 * The API is only partly documented, so these schemas accept the variants real tenants and public clients show:
 * `""` where another platform sends `null`, missing optional fields, epoch-millisecond timestamps (sometimes as digit
 * strings), unknown extra fields. Known fields come out normalised (`""` → `null`, absent → `null`); the record as
 * received is kept whole in `raw` so nothing the tenant sent is lost for audit.
 */
import { z } from 'zod';

/** Text the tenant may omit: Android sends `""` where Windows sends `null` [reference]; both mean "not reported". */
const OptionalText = z
  .string()
  .nullish()
  .transform((v) => (v === undefined || v === '' ? null : v));

/** Ids are JSON numbers in every client we read; a digit string is accepted in case a proxy or version re-encodes. */
const IntLike = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);

/** Timestamps are epoch **milliseconds** or `null` [reference]. */
const EpochMs = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number), z.literal('')])
  .nullish()
  .transform((v) => (v === undefined || v === '' ? null : v));

const OptionalBool = z
  .boolean()
  .nullish()
  .transform((v) => v ?? null);

const OptionalInt = IntLike.nullish().transform((v) => v ?? null);

/** Known values; the API may add more, so the types stay open strings. */
export type IvantiPlatformType = 'ANDROID' | 'IOS' | 'WINDOWS_PHONE' | 'OTHER' | (string & {});
export type IvantiRegistrationState = 'ACTIVE' | 'RETIRED' | 'RETIRE_PENDING' | (string & {});

/**
 * Fields a GDPR privacy profile obfuscates [doc]: never use them as keys or for matching. Names are the record's
 * field names (the documentation lists "user id, name, email, phone, IMEI, serial number, ICCID, IMSI, MEID, IP").
 */
export const GDPR_OBFUSCATED_FIELDS = [
  'uid',
  'displayName',
  'firstName',
  'lastName',
  'emailAddress',
  'phoneNumber',
  'imei',
  'imei2',
  'serialNumber',
  'iccid',
  'imsi',
  'meid',
  'ipAddress',
] as const;

const CustomAttributes = z
  .looseObject({
    attrs: z
      .record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean()]).transform(String)).nullish())
      .nullish(),
  })
  .nullish()
  .transform((v) => {
    const attrs: Record<string, string[]> = {};
    for (const [name, values] of Object.entries(v?.attrs ?? {})) attrs[name] = values ?? [];
    return attrs;
  });

const DeviceFields = z.object({
  id: IntLike,
  /** The sync key: globally unique, never obfuscated. */
  guid: z.string().min(1),
  /** The Device Client ID Duo Mobile reports. Android: 64 hex chars; iOS: a string; Windows desktop: null. */
  clientDeviceIdentifier: OptionalText,
  mdmChannelId: OptionalText,
  platformType: z.string().min(1),
  /** `WINDOWS_DESKTOP` marks a Windows desktop reported under platformType WINDOWS_PHONE [reference]. */
  windowsDeviceType: OptionalText,
  platformVersion: OptionalText,
  osBuildVersion: OptionalText,
  registrationState: z.string().min(1),
  lastCheckin: EpochMs,
  clientLastCheckin: EpochMs,
  lastRegistrationTime: EpochMs,
  complianceState: OptionalBool,
  policyViolationCount: OptionalInt,
  violatedPolicies: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
  quarantined: OptionalBool,
  jailbroken: OptionalBool,
  blocked: OptionalBool,
  uid: OptionalText,
  emailAddress: OptionalText,
  displayName: OptionalText,
  firstName: OptionalText,
  lastName: OptionalText,
  ownerId: OptionalText,
  serialNumber: OptionalText,
  imei: OptionalText,
  imei2: OptionalText,
  imsi: OptionalText,
  meid: OptionalText,
  iccid: OptionalText,
  udid: OptionalText,
  wifiMacAddress: OptionalText,
  phoneNumber: OptionalText,
  ipAddress: OptionalText,
  deviceModel: OptionalText,
  deviceName: OptionalText,
  prettyModel: OptionalText,
  manufacturer: OptionalText,
  entityName: OptionalText,
  ownershipType: OptionalText,
  supervised: OptionalBool,
  depEnrolled: OptionalBool,
  mamOnly: OptionalBool,
  authOnly: OptionalBool,
  dmPartitionId: OptionalInt,
  dmPartitionName: OptionalText,
  customAttributes: CustomAttributes,
});

/** One device as the console uses it: normalised known fields, plus `raw`, the record exactly as the tenant sent it. */
export type IvantiDevice = Omit<z.output<typeof DeviceFields>, 'platformType' | 'registrationState'> & {
  platformType: IvantiPlatformType;
  registrationState: IvantiRegistrationState;
  raw: Record<string, unknown>;
};

/** The JSON object a search result or `/device/{id}` holds, before normalisation. */
export type IvantiDeviceWire = Record<string, unknown>;

/** Parses one device record; `raw` keeps every field the tenant sent, known or not. */
export const IvantiDeviceRecord: z.ZodType<IvantiDevice, IvantiDeviceWire> = z
  .record(z.string(), z.unknown())
  .transform((raw, ctx) => {
    const parsed = DeviceFields.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
      return z.NEVER;
    }
    return { ...parsed.data, raw };
  });

/** A device space (partition). Its `id` is the `dmPartitionId` every device call takes. */
export const DeviceSpace = z
  .looseObject({
    id: IntLike,
    name: z.string(),
    defaultPartition: OptionalBool,
    deviceCount: OptionalInt,
    priority: OptionalInt,
  })
  .transform((v) => ({
    id: v.id,
    name: v.name,
    defaultSpace: v.defaultPartition ?? false,
    /** As the spaces list reports it; Test Configuration counts with a search instead (the list may be stale). */
    listedDeviceCount: v.deviceCount,
    priority: v.priority,
  }));
export type DeviceSpace = z.output<typeof DeviceSpace>;

/**
 * Search envelope: `{"errors": null, "result": {"searchResults": [...], "totalCount": n, ...}}` [doc]. Items are
 * kept unparsed here so that one bad record can be reported alone instead of failing the page.
 */
export const IvantiSearchEnvelope = z.looseObject({
  errors: z.unknown().optional(),
  result: z.looseObject({
    searchResults: z
      .array(z.unknown())
      .nullish()
      .transform((v) => v ?? []),
    totalCount: IntLike.pipe(z.number().int().nonnegative()),
    offset: z.unknown().optional(),
    limit: z.unknown().optional(),
  }),
});

/** `/device/{id}` answers `{"errors": null, "result": {…record…}}` [code]. */
export const IvantiItemEnvelope = z.looseObject({
  errors: z.unknown().optional(),
  result: z.record(z.string(), z.unknown()),
});

export const IvantiFieldError = z.looseObject({
  code: OptionalText,
  message: OptionalText,
  field: OptionalText,
});
export type IvantiFieldError = z.output<typeof IvantiFieldError>;

/**
 * The documented error envelope (rows > 500 → HTTP 400):
 * `{"errors": {"globalErrors": null, "fieldErrors": [{"code": "Range", "message": "must be between 1 and 500",
 * "field": "rows"}]}, "result": null}`. `globalErrors` has no documented shape: strings and `{message}` objects are
 * both accepted.
 */
export const IvantiErrorEnvelope = z.looseObject({
  errors: z.looseObject({
    globalErrors: z
      .array(z.union([z.string(), z.looseObject({ message: OptionalText })]))
      .nullish()
      .transform((v) => (v ?? []).map((e) => (typeof e === 'string' ? e : e.message)).filter((m): m is string => !!m)),
    fieldErrors: z
      .array(IvantiFieldError)
      .nullish()
      .transform((v) => v ?? []),
  }),
  result: z.unknown().optional(),
});
export type IvantiErrorEnvelope = z.output<typeof IvantiErrorEnvelope>;

/** The Ivanti page-size limit: more than 500 rows per request is answered with HTTP 400 [doc]. */
export const IVANTI_MAX_ROWS = 500;
