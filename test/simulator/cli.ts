/**
 * `npm run sim -- --devices N --port P --seed S [--faults 429,5xx,drop,truncate,slow,churn|all]`
 * Starts the Ivanti Neurons simulator on 127.0.0.1 and prints what to enter in the console. Ctrl-C stops it.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parseFaultList } from './fault-plan';
import { startSimulator } from './ivanti-simulator';
import type { TenantChanges } from './simulated-tenant';

const USAGE = `Usage: npm run sim -- [--devices N] [--port P] [--seed S] [--faults LIST] [--slow-ms MS] [--retry-after S]
  --devices N      devices in the tenant (default 5000; up to 1,000,000 and more, generated on demand)
  --port P         port on 127.0.0.1 (default: a free one)
  --seed S         seed for devices and faults (default 1)
  --faults LIST    comma-separated: 429,5xx,drop,truncate,slow,churn or all (default none)
  --slow-ms MS     delay of a slow answer (default 1500)
  --retry-after S  Retry-After seconds sent with 429 (default 1)
  --forbid-space   deny Device Read Only in the "Contractors" space (403), to see Test Configuration name it
  --mfa            behave like a tenant enforcing MFA (Basic refused)
  --control        read tenant changes from stdin, one JSON line each ({"add":N,"remove":N,"update":N,"checkIn":N}), and answer
                   "changed M" (M: changes so far) on stdout: how a benchmark changes the tenant between two syncs`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '5000' },
      port: { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      faults: { type: 'string', default: '' },
      'slow-ms': { type: 'string' },
      'retry-after': { type: 'string' },
      'forbid-space': { type: 'boolean', default: false },
      mfa: { type: 'boolean', default: false },
      control: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const devices = Number(values.devices);
  const port = Number(values.port);
  if (!Number.isInteger(devices) || devices < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const simulator = await startSimulator({
    devices,
    port,
    seed: values.seed,
    faults: parseFaultList(values.faults),
    slowMs: values['slow-ms'] === undefined ? undefined : Number(values['slow-ms']),
    retryAfterSeconds: values['retry-after'] === undefined ? undefined : Number(values['retry-after']),
    mfaEnforced: values.mfa,
    spaces: values['forbid-space']
      ? [
          { id: 33533, name: 'Default Space', share: 70, defaultSpace: true },
          { id: 33534, name: 'EU Staff', share: 20, gdpr: true },
          { id: 33535, name: 'Contractors', share: 10, deviceRead: false },
        ]
      : undefined,
  });
  console.log(`Ivanti Neurons simulator listening on ${simulator.url}`);
  console.log(`  Domain:   ${simulator.domain}`);
  console.log(`  Email:    ${simulator.credentials.email}`);
  console.log(`  Password: ${simulator.credentials.password}   (demo credentials of a local simulator, not a secret)`);
  console.log(`  Devices:  ${simulator.deviceCount({ spaces: 'all' })} in ${simulator.spaces().map((s) => `${s.name} (${s.deviceCount}${s.deviceRead ? '' : ', no read access'})`).join(', ')}`);
  console.log(`  Faults:   ${values.faults || 'none'}; seed ${values.seed}`);
  console.log('Press Ctrl-C to stop.');
  if (values.control) {
    createInterface({ input: process.stdin }).on('line', (line) => {
      simulator.mutate(JSON.parse(line) as TenantChanges);
      console.log(`changed ${simulator.stats().mutations}`);
    });
  }
  const stop = () => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
