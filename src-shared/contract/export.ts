import { z } from 'zod';
import { channel, event, Ok } from './define';
import { EntityId } from '../domain/entity-id';
import { ExportProgress, ExportRequest } from '../domain/export';

export const exportChannels = {
  'export.start': channel(
    'Start exporting devices (honouring the explorer\'s filters), sync diffs or the audit log to a file in the data directory\'s exports folder; answers at once, progress follows as export.progress events.',
    ExportRequest,
    ExportProgress,
  ),
  'export.cancel': channel('Stop a running export; its partial file is removed.', z.object({ exportId: EntityId }).strict(), Ok),
};

export const exportEvents = {
  'export.progress': event('Progress of an export (throttled), and its end: completed, cancelled or failed.', ExportProgress),
};
