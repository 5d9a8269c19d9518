import type { Handler } from '../../../src-shared/contract';
import type { ExportService } from './export-service';

export function exportHandlers({ exports }: { exports: ExportService }): { 'export.start': Handler<'export.start'>; 'export.cancel': Handler<'export.cancel'> } {
  return {
    'export.start': async (request) => exports.start(request),
    'export.cancel': async ({ exportId }) => {
      exports.cancel(exportId);
      return { ok: true as const };
    },
  };
}
