import fs from 'node:fs';
import path from 'node:path';
import type { DuoDisagreements } from '../../../src-shared/domain/duo';
import { ensurePrivateDirectory } from '../app/local-paths';
import { csvLine } from '../export/csv-format';

const COLUMNS = ['username', 'epkey', 'os_family', 'os_version', 'model', 'duo_trusted_endpoint', 'console_predicts', 'match', 'match_note', 'device_guid', 'device_client_id', 'duo_last_seen', 'likely_cause'] as const;

/**
 * Writes the disagreement list to the exports folder as CSV (spreadsheet-safe cells, CRLF) or JSON; nothing in it
 * comes from the keychain. Returns the file written.
 */
export function writeDisagreementExport(exportDir: string, list: DuoDisagreements, format: 'csv' | 'json', at: Date): string {
  ensurePrivateDirectory(exportDir, 'exports folder');
  const file = path.join(exportDir, `duo-disagreements-${at.toISOString().replace(/[:.]/g, '-')}.${format}`);
  if (format === 'json') {
    fs.writeFileSync(file, `${JSON.stringify(list, null, 2)}\n`, { mode: 0o600 });
    return file;
  }
  const lines = [csvLine(COLUMNS)];
  for (const d of list.items) {
    lines.push(
      csvLine([
        d.username,
        d.epkey,
        d.osFamily,
        d.osVersion,
        d.model,
        d.trustedEndpoint,
        d.predicted === null ? "can't tell" : d.predicted ? 'trusted' : 'not trusted',
        d.match.kind,
        d.match.note,
        d.match.deviceGuid,
        d.match.identifier,
        d.lastSeenAt === null ? null : new Date(d.lastSeenAt).toISOString(),
        d.disagreement,
      ]),
    );
  }
  fs.writeFileSync(file, lines.join(''), { mode: 0o600 });
  return file;
}
