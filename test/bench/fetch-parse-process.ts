/**
 * bench:sync's fetch-and-parse baseline, run in a process of its own (sync-bench.ts measureFetchParse): every page of
 * every space, fetched and parsed by the client the sync uses, nothing stored. `--domain HOST:PORT`; prints one JSON
 * line (FetchParseResult) on stdout. In a process, what it grows goes with it: on the bench's main thread the ~90 MB V8
 * kept after parsing 100,000 devices was counted in the peak RSS of every re-sync measured after it, and in a worker
 * thread its heap went but the C heap it grew (glibc keeps a thread's malloc arena for the process) stayed: ~40 MB at
 * 100,000 devices in every later phase's RSS, memory the console never holds.
 */
import { parseArgs } from 'node:util';
import { IvantiClient, STABLE_DEVICE_SORT } from '../../src-main/core/ivanti/ivanti-client';
import { IVANTI_MAX_ROWS } from '../../src-main/core/ivanti/ivanti-wire';
import { DEMO_CREDENTIALS } from '../simulator/ivanti-simulator';
import { ownPeakRssMb } from './own-peak-rss';

export interface FetchParseResult {
  seconds: number;
  devices: number;
  pages: number;
  /** This process's own peak RSS (ownPeakRssMb: not its parent's at the fork). */
  peakRssMb: number;
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
  return { seconds: (performance.now() - startedAt) / 1000, devices, pages, peakRssMb: ownPeakRssMb() };
}

const { values } = parseArgs({ options: { domain: { type: 'string' } } });
if (!values.domain) throw new Error('--domain HOST:PORT is required');
void fetchAndParse(values.domain).then((result) => process.stdout.write(`${JSON.stringify(result)}\n`));
