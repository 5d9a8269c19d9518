import { DeviceQuery, DEVICE_SORT_COLUMNS } from '../../src-shared/domain/device';
import { AppError } from '../../src-shared/errors';
import type { Core } from '../core/app/composition-root';
import { callChannel } from './channel-call';
import { usageError } from './cli-io';
import { findIntegration } from './integration-lookup';

/**
 * The explorer's text, filters and order as command-line options, shared by `tec devices search` and
 * `tec export devices`, so a script selects devices exactly as the explorer does (the same DeviceQuery schema).
 */
export const DEVICE_QUERY_OPTIONS = {
  search: { type: 'string' },
  integration: { type: 'string' },
  space: { type: 'string' },
  platform: { type: 'string' },
  state: { type: 'string' },
  compliance: { type: 'string' },
  checkin: { type: 'string' },
  trust: { type: 'string' },
  presence: { type: 'string' },
  sort: { type: 'string' },
  saved: { type: 'string' },
} as const;

export const DEVICE_QUERY_USAGE =
  '[--search TEXT] [--integration NAME] [--space NAME] [--platform ANDROID|IOS|…] [--state ACTIVE|RETIRED|…] ' +
  '[--compliance compliant|non-compliant|unknown] [--checkin day|week|month|older|never] [--trust trusted|not-trusted|cant-tell] ' +
  `[--presence current|removed|all] [--sort ${DEVICE_SORT_COLUMNS.join('|')}[:asc|desc]] [--saved SAVED_SEARCH]`;

type Values = { [K in keyof typeof DEVICE_QUERY_OPTIONS]?: string };

/** Options to a DeviceQuery; `--saved NAME` starts from a saved search, and the other options refine it. */
export async function deviceQueryFrom(values: Values, core: Core, signal: AbortSignal): Promise<DeviceQuery> {
  let base: DeviceQuery = {};
  if (values.saved !== undefined) {
    const saved = (await callChannel(core, 'savedSearches.list', {}, signal)).find((s) => s.name.toLowerCase() === values.saved!.trim().toLowerCase());
    if (!saved) throw new AppError('NOT_FOUND', `There is no saved search called "${values.saved}".`);
    base = saved.query;
  }
  const integrationId = values.integration === undefined ? undefined : (await findIntegration(core, values.integration, signal)).id;
  const [column, direction = 'asc'] = values.sort?.split(':') ?? [];
  const candidate = {
    ...base,
    ...defined({
      text: values.search,
      integrationId,
      spaceName: values.space,
      platformType: values.platform?.toUpperCase(),
      registrationState: values.state?.toUpperCase(),
      compliance: values.compliance,
      checkinAge: values.checkin,
      trust: values.trust,
      presence: values.presence,
      sort: column === undefined ? undefined : { column, direction },
    }),
  };
  const parsed = DeviceQuery.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw usageError(`--${optionOf(String(issue.path[0]))}: ${issue.message}`);
  }
  return parsed.data;
}

function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function optionOf(field: string): string {
  const names: Record<string, string> = {
    text: 'search',
    spaceName: 'space',
    platformType: 'platform',
    registrationState: 'state',
    checkinAge: 'checkin',
    integrationId: 'integration',
  };
  return names[field] ?? field;
}
