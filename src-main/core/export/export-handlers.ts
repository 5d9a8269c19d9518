import type { Handler } from '../../../src-shared/contract';
import type { ExportService } from './export-service';

export function exportHandlers({ exports, indexReady }: { exports: ExportService; indexReady(): Promise<void> }): {
  'export.start': Handler<'export.start'>;
  'export.cancel': Handler<'export.cancel'>;
} {
  return {
    'export.start': async (request) => {
      await indexReady();
      return exports.start(request);
    },
    'export.cancel': async ({ exportId }) => {
      exports.cancel(exportId);
      return { ok: true as const };
    },
  };
}
