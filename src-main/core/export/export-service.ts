import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { EventSink } from '../../../src-shared/contract';
import type { ExportProgress, ExportRequest } from '../../../src-shared/domain/export';
import { AppError, toErrorPayload } from '../../../src-shared/errors';
import { createExclusiveFile, ensureDirectory, ensurePrivateDirectory } from '../app/local-paths';
import type { AuditLog } from '../audit/audit-log';
import type { Db } from '../db/database';
import { sqliteBindingOption } from '../db/sqlite-binding';
import { registerNameKey } from '../duo/name-key';
import { registerPhraseCheck } from '../devices/device-search-text';
import type { DeviceRepository } from '../devices/device-repository';
import { auditExport } from './audit-export';
import type { AuditSeal } from '../audit/audit-signature';
import { SyncRunStore } from '../sync/sync-run-store';
import { changeExport } from './change-export';
import { csvLine, UTF8_BOM, type CsvValue } from './csv-format';
import { deviceExport } from './device-export';
import type { DeviceTrustJudge } from '../trust/trust-verifier';
import { JsonText, type ExportSource, type ExportValue } from './export-source';

/** Text handed to the file stream at a time; also how often the export yields to other work and checks for cancel. */
const CHUNK_CHARS = 256 * 1024;
const PROGRESS_EVERY_MS = 250;

export interface ExportOptions {
  signal?: AbortSignal;
  onProgress?(progress: ExportProgress): void;
}

/**
 * Streams exports to disk with flat memory: rows come one at a time from a read-only connection of their own (inside
 * one read transaction, so the file is a consistent snapshot while syncs write), are formatted into a bounded buffer
 * and written with back-pressure; the event loop gets a turn after every chunk, so the app stays responsive. The file
 * is written under a fresh `.partial` name in the destination folder, created exclusively and owner-only (a file or
 * link planted under that name is never followed), and renamed over the target when complete: a cancelled or failed
 * export leaves nothing behind, and the target ends up a regular file of ours even if a link stood there.
 * Every completed export is recorded in the audit log (what, how many rows, which filters; never the data).
 */
export class ExportService {
  readonly #running = new Map<string, AbortController>();
  readonly #runs: SyncRunStore;

  constructor(
    private readonly db: Db,
    private readonly devices: DeviceRepository,
    private readonly audit: AuditLog,
    private readonly emit: EventSink,
    /** Where exports started from the UI land (the data directory's `exports` folder). */
    private readonly exportDir: string,
    private readonly now: () => Date,
    private readonly actor: string,
    /** The verification and keychain-signed head an audit export carries; without it, the hash chain alone. */
    private readonly auditSeal: () => Promise<AuditSeal> = async () => ({ verification: this.audit.verify(), signedHead: null }),
    /** The device exports' trust columns (the trust verifier's device-level answer); without it, none. */
    private readonly deviceTrust?: () => DeviceTrustJudge,
  ) {
    this.#runs = new SyncRunStore(db);
  }

  /** For the UI: starts an export in the background into the exports folder; progress arrives as `export.progress`. */
  start(request: ExportRequest): ExportProgress {
    const exportId = randomUUID();
    const stamp = this.now().toISOString().replace(/[:.]/g, '-');
    if (request.to !== undefined && !path.isAbsolute(request.to)) {
      throw new AppError('VALIDATION_FAILED', 'Save the export to a full path, for example /home/ada/devices.csv.', { field: 'to' });
    }
    const file = request.to ?? path.join(this.exportDir, `${request.kind}-${stamp}-${exportId.slice(0, 8)}.${request.format}`);
    const controller = new AbortController();
    this.#running.set(exportId, controller);
    const first: ExportProgress = { exportId, kind: request.kind, format: request.format, file, written: 0, total: 0, state: 'running', error: null };
    void this.write(request, file, { signal: controller.signal, onProgress: (p) => this.emit('export.progress', p) }, exportId)
      .catch(() => undefined)
      .finally(() => this.#running.delete(exportId));
    return first;
  }

  cancel(exportId: string): void {
    const controller = this.#running.get(exportId);
    if (!controller) throw new AppError('NOT_FOUND', 'That export is not running any more (it finished, failed or was cancelled).', { exportId });
    controller.abort();
  }

  /** Writes one export to `file` and resolves with its final progress; rejects (after reporting it) when it fails. */
  async write(request: ExportRequest, file: string, options: ExportOptions = {}, exportId: string = randomUUID()): Promise<ExportProgress> {
    const progress: ExportProgress = { exportId, kind: request.kind, format: request.format, file, written: 0, total: 0, state: 'running', error: null };
    const report = () => options.onProgress?.({ ...progress });
    const folder = path.dirname(file);
    const partial = path.join(folder, `.${path.basename(file)}.${randomUUID().slice(0, 8)}.partial`);
    let snapshot: Database.Database | null = null;
    let out: fs.WriteStream | null = null;
    try {
      // The signed head is read before the snapshot, so it never runs ahead of the rows the file holds. Only the audit
      // export awaits here: the others take their snapshot without yielding first.
      const source = request.kind === 'audit' ? (auditExport(this.audit, await this.auditSeal()) as ExportSource<unknown>) : this.#source(request);
      progress.total = source.total;
      report();
      if (folder === this.exportDir) ensurePrivateDirectory(folder, 'exports folder');
      else ensureDirectory(folder, 'export folder');
      snapshot = this.#openSnapshot();
      out = fs.createWriteStream('', { fd: createExclusiveFile(partial, 'temporary export file'), encoding: 'utf8' });
      const stream = out;
      let buffer = '';
      let lastReport = Date.now();
      const flush = async () => {
        if (buffer.length > 0 && !stream.write(buffer)) await once(stream, 'drain');
        buffer = '';
      };
      const write = async (text: string) => {
        buffer += text;
        if (buffer.length < CHUNK_CHARS) return;
        await flush();
        await yieldToEventLoop();
        if (options.signal?.aborted) throw new AppError('CANCELLED', 'The export was cancelled; no file was written.');
        if (Date.now() - lastReport >= PROGRESS_EVERY_MS) {
          lastReport = Date.now();
          report();
        }
      };
      source.withSnapshot?.(snapshot);
      const rows = snapshot.prepare(source.sql).iterate(...source.params) as IterableIterator<unknown>;
      await (request.format === 'csv' ? this.#writeCsv(source, rows, write, progress) : this.#writeJson(source, rows, write, progress, request));
      await flush();
      stream.end();
      await once(stream, 'finish');
      fs.renameSync(partial, file);
      progress.state = 'completed';
      report();
      this.audit.append({
        actor: this.actor,
        action: 'export.created',
        target: request.kind,
        details: { rows: progress.written, file: path.basename(file), request },
      });
      return { ...progress };
    } catch (error) {
      out?.destroy();
      if (out) removeQuietly(partial);
      const payload = toErrorPayload(error);
      progress.state = payload.code === 'CANCELLED' ? 'cancelled' : 'failed';
      progress.error = { code: payload.code, message: payload.message };
      report();
      throw error instanceof AppError
        ? error
        : new AppError('EXPORT_FAILED', `The export could not be written to ${file}. Check that the folder exists and has free space.`, { file });
    } finally {
      snapshot?.close();
    }
  }

  async #writeCsv(source: ExportSource<unknown>, rows: IterableIterator<unknown>, write: (text: string) => Promise<void>, progress: ExportProgress) {
    await write(UTF8_BOM + csvLine(source.csvHeader ?? source.columns.map((c) => c.name)));
    for (const row of rows) {
      const lines = source.csvRows ? source.csvRows(row) : [source.columns.map((c) => c.value(row))];
      await write(lines.map((values) => csvLine(values.map(toCsvValue))).join(''));
      progress.written += 1;
    }
  }

  async #writeJson(
    source: ExportSource<unknown>,
    rows: IterableIterator<unknown>,
    write: (text: string) => Promise<void>,
    progress: ExportProgress,
    request: ExportRequest,
  ) {
    const head = { kind: request.kind, exportedAt: this.now().toISOString(), ...source.about };
    await write(`${JSON.stringify(head).slice(0, -1)},"${source.kind}":[`);
    for (const row of rows) {
      const object = Object.fromEntries(source.columns.map((c) => [c.name, c.value(row)]));
      await write(`${progress.written === 0 ? '\n' : ',\n'}${JSON.stringify(object)}`);
      progress.written += 1;
    }
    await write(`\n],"count":${progress.written}}\n`);
  }

  #source(request: Exclude<ExportRequest, { kind: 'audit' }>): ExportSource<unknown> {
    const names = this.devices.integrationNames();
    switch (request.kind) {
      case 'devices':
        return deviceExport(this.devices, request.query, { includeRaw: request.includeRaw, facts: this.devices.integrationFacts(), trust: this.deviceTrust?.() }) as ExportSource<unknown>;
      case 'changes':
        return changeExport(
          this.devices,
          { integrationId: request.integrationId, runId: request.runId, change: request.change },
          { names, runs: this.#runs, coveredPlatformType: (id) => this.devices.coveredPlatformType(id) },
        ) as ExportSource<unknown>;
    }
  }

  /** A read-only connection inside a read transaction: the export sees one consistent state of the database. */
  #openSnapshot(): Database.Database {
    if (this.db.memory) throw new AppError('EXPORT_FAILED', 'Exports need the database file (an in-memory database cannot be exported).');
    const snapshot = new Database(this.db.name, { readonly: true, fileMustExist: true, ...sqliteBindingOption() });
    registerNameKey(snapshot); // the device export may apply the Trust filter
    registerPhraseCheck(snapshot); // and the text of several-token words
    snapshot.exec('BEGIN');
    // A read transaction takes its snapshot at its first read, not at BEGIN: read now, before anything can interleave.
    snapshot.prepare('SELECT count(*) FROM sqlite_schema').get();
    return snapshot;
  }
}

/** Cleans up a partial file; a failure to do so must not hide the error that made the export stop. */
function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // nothing was written there, or the folder itself is the problem
  }
}

function toCsvValue(value: ExportValue): CsvValue {
  if (value instanceof JsonText) return value.text;
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}
