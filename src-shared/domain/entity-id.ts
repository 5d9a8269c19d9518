import { z } from 'zod';

/**
 * The id of a stored thing (integration, draft, export) as a request names it. Ours are UUIDs; the bound keeps a
 * megabyte-long "id" from reaching a query or coming back in an error. Every string a request carries has a maximum
 * (test/contract/input-limits.test.ts checks the whole contract).
 */
export const EntityId = z.string().min(1, 'An id is required.').max(100, 'That id is too long.');
