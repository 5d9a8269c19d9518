/**
 * bench:sync's fetch-and-parse baseline, run in a worker thread of its own (sync-bench.ts measureFetchParse): every page
 * of every space, fetched and parsed by the client the sync uses, nothing stored. On a thread that ends with it, the
 * heap it grows goes with it: on the bench's main thread, the ~90 MB V8 kept after parsing 100,000 devices was counted
 * in the peak RSS of every re-sync measured after it, memory the console never holds.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { IvantiClient, STABLE_DEVICE_SORT } from '../../src-main/core/ivanti/ivanti-client';
import { IVANTI_MAX_ROWS } from '../../src-main/core/ivanti/ivanti-wire';
import { DEMO_CREDENTIALS } from '../simulator/ivanti-simulator';

export interface FetchParseResult {
  seconds: number;
  devices: number;
  pages: number;
}

async function fetchAndParse(domain: string): Promise<FetchParseResult> {
  const client = new IvantiClient({ domain, ...DEMO_CREDENTIALS });
  const startedAt = performance.now();
  let devices = 0;
  let pages = 0;
  try {
    for (const space of await client.listSpaces()) {
      for (let start = 0; ; ) {
        const page = await client.searchDevices({ dmPartitionId: space.id, start, rows: IVANTI_MAX_ROWS, sort: STABLE_DEVICE_SORT });
        const records = page.devices.length + page.rejected.length;
        pages++;
        devices += page.devices.length;
        start += records;
        if (records < IVANTI_MAX_ROWS || start >= page.totalCount) break;
      }
    }
  } finally {
    client.close();
  }
  return { seconds: (performance.now() - startedAt) / 1000, devices, pages };
}

const port = parentPort;
if (!port) throw new Error('fetch-parse-thread runs as a worker thread only.');
void fetchAndParse((workerData as { domain: string }).domain).then(
  (result) => port.postMessage({ ok: true, result }),
  (error: unknown) => port.postMessage({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
);
