import path from 'node:path';
import { ExportRequest, type ExportProgress } from '../../../src-shared/domain/export';
import { parseCommandArgs } from '../args';
import { EXIT, printJson, usageError, type CliIo } from '../cli-io';
import { DEVICE_QUERY_OPTIONS, DEVICE_QUERY_USAGE, deviceQueryFrom } from '../device-query-options';
import { findIntegration } from '../integration-lookup';
import { openCore } from '../open-core';
import { ProgressLine } from '../progress-line';

export const USAGE = [
  `tec export devices --format csv|json --out FILE [--raw] ${DEVICE_QUERY_USAGE} [--json]`,
  'tec export changes --format csv|json --out FILE [--integration NAME] [--run RUN_ID] [--change added|changed|removed|restored] [--json]',
  'tec export audit --format csv|json --out FILE [--json]',
].join('\n       ');

/**
 * `tec export devices|changes|audit`: the app's exports, written to FILE. Streams with flat memory and a progress
 * bar on a terminal; the file appears only when complete (Ctrl-C: exit 130, nothing written). Devices are selected
 * with the explorer's filters. CSV is UTF-8 with a BOM, formula-safe; src-main/core/export/csv-format.ts says how to
 * read it back exactly.
 */
export async function runExportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      format: { type: 'string' },
      out: { type: 'string' },
      raw: { type: 'boolean' },
      run: { type: 'string' },
      change: { type: 'string' },
      json: { type: 'boolean' },
      ...DEVICE_QUERY_OPTIONS,
    },
    { min: 1, max: 1, usage: USAGE },
  );
  const kind = positionals[0]!;
  if (values.out === undefined) throw usageError(`--out FILE is required.\nUsage: ${USAGE}`);
  const out = path.resolve(values.out);
  const core = openCore(io);
  const bar = new ProgressLine(io);
  try {
    const candidate =
      kind === 'devices'
        ? { kind, format: values.format, query: await deviceQueryFrom(values, core, io.signal), includeRaw: values.raw === true }
        : kind === 'changes'
          ? {
              kind,
              format: values.format,
              ...(values.integration === undefined ? {} : { integrationId: (await findIntegration(core, values.integration, io.signal)).id }),
              ...(values.run === undefined ? {} : { runId: Number(values.run) }),
              ...(values.change === undefined ? {} : { change: values.change }),
            }
          : { kind, format: values.format };
    const request = ExportRequest.safeParse(candidate);
    if (!request.success) {
      const issue = request.error.issues[0]!;
      throw usageError(`${issue.path.length > 0 ? `--${String(issue.path[0])}: ` : ''}${kind === 'devices' || kind === 'changes' || kind === 'audit' ? issue.message : `Unknown export "${kind}".`}\nUsage: ${USAGE}`);
    }
    const result = await core.services.exports.write(request.data, out, {
      signal: io.signal,
      onProgress: (p: ExportProgress) => bar.update(p.total === 0 ? null : p.written / p.total, `${p.written} of ${p.total} ${kind}`),
    });
    bar.clear();
    if (values.json === true) printJson(io, { ok: true, kind, format: result.format, file: result.file, rows: result.written });
    else io.stdout.write(`Exported ${result.written} ${kind === 'audit' ? 'audit entries' : kind} to ${result.file}\n`);
    return EXIT.ok;
  } finally {
    bar.clear();
    await core.close();
  }
}
