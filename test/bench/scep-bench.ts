/**
 * `npm run bench:scep [-- --json] [-- --runs N] [-- --tec PATH]`
 *
 * Wall time of one enrollment by our `tec scep enroll` and by Debian's Go `scepclient`, against the same Debian
 * `scepserver` in the same run; runs alternate between the two, each in a fresh directory, after one warm-up each.
 * Prints the medians and their ratio (target: ours / scepclient <= 1.5).
 *
 * Both do the same work: start, GetCACert + GetCACaps, generate an RSA 2048 key, PKCSReq, write key and certificate.
 * `tec` is the real CLI bundle (src-main/cli/entry.ts built with vite.cli.config.mts, as `npm run build:cli` does)
 * built into node_modules/.cache, or the bundle given with --tec. Runs under tsx because Node 20 cannot run
 * TypeScript itself.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SCEPCLIENT_BIN, startScepServer, type ScepServer } from '../support/scep-server';

const ROOT = path.resolve(__dirname, '..', '..');
const CHALLENGE = 'bench-challenge-4d9e';

function fail(message: string): never {
  process.stderr.write(`bench:scep: ${message}\n`);
  process.exit(1);
}

function buildTec(): string {
  // Inside the project so the bundle finds node_modules, as out/cli/tec.cjs does; not out/cli, which is the build's.
  const outDir = path.join(ROOT, 'node_modules', '.cache', 'tec-bench-cli');
  const vite = path.join(ROOT, 'node_modules', '.bin', 'vite');
  const built = spawnSync(vite, ['build', '--config', 'vite.cli.config.mts', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  });
  if (built.status !== 0) fail(`building the tec CLI failed:\n${built.stderr}${built.stdout}`);
  return path.join(outDir, 'tec.cjs');
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) fail(`${path.basename(command)} ${args.join(' ')} failed (${run.status}):\n${run.stdout}${run.stderr}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function enrollOurs(tec: string, server: ScepServer, label: string): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-bench-ours-'));
  try {
    const ms = timed(
      process.execPath,
      [tec, 'scep', 'enroll', '--url', server.url, '--subject', `CN=${label},O=scep-client,OU=MDM,C=US`,
        '--out-cert', path.join(dir, 'client.pem'), '--out-key', path.join(dir, 'key.pem')],
      { ...process.env, TEC_SCEP_CHALLENGE: CHALLENGE },
      dir,
    );
    if (!fs.existsSync(path.join(dir, 'client.pem'))) fail('tec reported success but wrote no certificate');
    return ms;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function enrollScepclient(server: ScepServer, label: string): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-bench-scepclient-'));
  try {
    const ms = timed(
      SCEPCLIENT_BIN,
      ['-server-url', server.url, '-challenge', CHALLENGE, '-cn', label,
        '-private-key', path.join(dir, 'key.pem'), '-certificate', path.join(dir, 'client.pem')],
      process.env,
      dir,
    );
    if (!fs.existsSync(path.join(dir, 'client.pem'))) fail('scepclient reported success but wrote no certificate');
    return ms;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { json: { type: 'boolean', default: false }, runs: { type: 'string', default: '9' }, tec: { type: 'string' } },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) fail(`--runs takes a positive whole number, not "${values.runs}"`);
  if (!fs.existsSync(SCEPCLIENT_BIN)) fail(`${SCEPCLIENT_BIN} is not installed (Debian package "scep")`);
  const tec = values.tec ? path.resolve(values.tec) : buildTec();

  const server = await startScepServer({ challenge: CHALLENGE, allowRenewDays: 0 });
  const ours: number[] = [];
  const theirs: number[] = [];
  try {
    enrollOurs(tec, server, 'bench-warmup-ours');
    enrollScepclient(server, 'bench-warmup-scepclient');
    for (let i = 0; i < runs; i++) {
      // Alternating keeps background load on this shared machine from favouring one side.
      ours.push(enrollOurs(tec, server, `bench-ours-${i}`));
      theirs.push(enrollScepclient(server, `bench-scepclient-${i}`));
    }
  } finally {
    await server.stop();
  }

  const oursMs = Math.round(median(ours) * 10) / 10;
  const scepclientMs = Math.round(median(theirs) * 10) / 10;
  const result = {
    oursMs,
    scepclientMs,
    ratio: Math.round((oursMs / scepclientMs) * 100) / 100,
    runs,
    oursSamplesMs: ours.map((v) => Math.round(v)),
    scepclientSamplesMs: theirs.map((v) => Math.round(v)),
    // Both sides generate an RSA key, so a busy machine slows them unevenly: the load says how quiet the run was.
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
    cpus: os.cpus().length,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    process.stdout.write(
      `One SCEP enrollment (RSA 2048, median of ${runs}):\n` +
        `  tec scep enroll   ${oursMs} ms\n  scepclient        ${scepclientMs} ms\n  ratio             ${result.ratio} (target <= 1.5)\n`,
    );
  }
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
