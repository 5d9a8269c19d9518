import type { DeviceChangeKind } from '../../../src-shared/domain/sync';
import type { ChangeExportSelection, DeviceRepository } from '../devices/device-repository';
import type { SyncRunStore } from '../sync/sync-run-store';
import type { ExportColumn, ExportSource, ExportValue } from './export-source';

interface ChangeExportRow {
  id: number;
  run_id: number;
  integration_id: string;
  at: number;
  guid: string;
  kind: DeviceChangeKind;
  fields: string | null;
  client_device_identifier: string | null;
  device_name: string | null;
}

export interface ChangeExportFilter {
  integrationId?: string;
  runId?: number;
  change?: DeviceChangeKind;
}

/** What a change export needs to know beyond the changes: integration names, and whose fetches reached whom. */
export interface ChangeExportContext {
  names: Map<string, string>;
  runs: Pick<SyncRunStore, 'fetchOf' | 'fetchesSharedWith'>;
  /** Ivanti's platformType of the devices the integration covers (ANDROID, IOS), or null when it is unknown. */
  coveredPlatformType(integrationId: string): string | null;
}

/**
 * The per-device changes sync runs recorded (the audit's "diffs"), oldest first. In JSON each change keeps its
 * fields as {field: [before, after]}; in CSV each changed field is a line of its own (field, before, after, with
 * before and after as JSON text, so a string and a number stay distinguishable), and a change without fields
 * (added, removed) is one line with those three empty.
 *
 * Changes are recorded once per fetch, under the fetching run and its integration (docs/architecture.md, "One device
 * per tenant"). So an integration's changes are those of its own fetches, and those of the fetches other members of
 * its fetch group shared with it, for the devices it covers (its platform's). A run shared from another's fetch has
 * the changes of that fetch, as its run history shows them.
 */
export function changeExport(
  devices: Pick<DeviceRepository, 'changeExportQuery'>,
  filter: ChangeExportFilter,
  context: ChangeExportContext,
): ExportSource<ChangeExportRow> {
  const { names } = context;
  let integration: ChangeExportSelection['integration'];
  if (filter.integrationId !== undefined) {
    const shared = context.runs.fetchesSharedWith(filter.integrationId);
    const covered = context.coveredPlatformType(filter.integrationId);
    integration = { id: filter.integrationId, sharedFetches: shared.length > 0 && covered !== null ? { runIds: shared, platformType: covered } : null };
  }
  const query = devices.changeExportQuery({
    integration,
    fetchRunId: filter.runId === undefined ? undefined : context.runs.fetchOf(filter.runId),
    kind: filter.change,
  });
  const columns: ExportColumn<ChangeExportRow>[] = [
    { name: 'changeId', value: (r) => r.id },
    { name: 'runId', value: (r) => r.run_id },
    { name: 'integrationName', value: (r) => names.get(r.integration_id) ?? null },
    { name: 'integrationId', value: (r) => r.integration_id },
    { name: 'at', value: (r) => new Date(r.at).toISOString() },
    { name: 'guid', value: (r) => r.guid },
    { name: 'clientDeviceIdentifier', value: (r) => r.client_device_identifier },
    { name: 'deviceName', value: (r) => r.device_name },
    { name: 'kind', value: (r) => r.kind },
    { name: 'fields', value: (r) => (r.fields === null ? null : (JSON.parse(r.fields) as Record<string, unknown>)) },
  ];
  const lineColumns = columns.filter((c) => c.name !== 'fields');
  return {
    kind: 'changes',
    ...query,
    columns,
    about: { filter },
    csvHeader: [...lineColumns.map((c) => c.name), 'field', 'before', 'after'],
    csvRows(row) {
      const base = lineColumns.map((c) => c.value(row));
      const fields = row.fields === null ? {} : (JSON.parse(row.fields) as Record<string, [unknown, unknown]>);
      const entries = Object.entries(fields);
      if (entries.length === 0) return [[...base, null, null, null]];
      return entries.map(([field, [before, after]]): ExportValue[] => [...base, field, JSON.stringify(before), JSON.stringify(after)]);
    },
  };
}
