import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/cli-io';
import { closeAfterEach } from '../core/ivanti/close-after-each';
import { startDuoDouble, type DuoDoubleOptions } from '../duo/duo-admin-double';
import { startSimulator } from '../simulator/ivanti-simulator';
import { requirePrivateKeyring } from '../support/keyring';
import { useTempDir } from '../support/temp-dir';
import { runTec } from './cli-harness';
import { syncedTenantComparedWithDuo } from '../duo/compared-tenant';

const tempDir = useTempDir();
const track = closeAfterEach();

async function connected(options: Partial<DuoDoubleOptions> = {}, secret?: string) {
  const ivanti = track(await startSimulator({ devices: 120, seed: 'tec-duo' }));
  const duo = track(await startDuoDouble({ ivantiDevices: ivanti.expectedDevices(), users: 20, ...options }));
  const env = { TEC_DATA_DIR: tempDir() };
  const args = ['duo', 'connect', '--api-hostname', duo.apiHostname, '--integration-key', duo.credentials.integrationKey, '--secret-key-stdin'];
  const saved = await runTec(args, { env, stdin: `${secret ?? duo.credentials.secretKey}\n` });
  expect(saved.code, saved.stderr).toBe(EXIT.ok);
  expect(saved.stdout).not.toContain(duo.credentials.secretKey);
  return { duo, env };
}

describe('tec duo', () => {
  beforeAll(() => requirePrivateKeyring());

  it('tests the connection (exit 0) and reads from Duo (exit 0), with --json', async () => {
    const { duo, env } = await connected();
    const test = await runTec(['duo', 'test'], { env });
    expect(test.code, test.stderr).toBe(EXIT.ok);
    expect(test.stdout).toContain('works');
    const sync = await runTec(['duo', 'sync', '--json'], { env });
    expect(sync.code, sync.stderr).toBe(EXIT.ok);
    const summary = JSON.parse(sync.stdout) as { ok: boolean; reads: Array<{ kind: string; count: number }> };
    expect(summary.ok).toBe(true);
    expect(summary.reads.find((r) => r.kind === 'endpoints')!.count).toBe(duo.endpoints().length);
  });

  it('exits 4 naming the signature when the secret key is wrong', async () => {
    const { env } = await connected({}, 'not-the-secret');
    const test = await runTec(['duo', 'test'], { env });
    expect(test.code).toBe(EXIT.denied);
    expect(test.stderr).toContain('DUO_SIGNATURE_REJECTED');
    const sync = await runTec(['duo', 'sync'], { env });
    expect(sync.code).toBe(EXIT.denied);
  });

  it('exits 4 for a missing permission and 5 for a Duo that keeps rate-limiting', async () => {
    const { duo, env } = await connected({ readResource: false });
    expect((await runTec(['duo', 'test'], { env })).code).toBe(EXIT.denied);
    duo.configure({ readResource: true });
    duo.setFaults({ '429': { next: 1000 } });
    // The interactive test gives up within its 10 s cap; Duo's back-off would wait that long for real.
    const test = await runTec(['duo', 'test'], { env });
    expect(test.code).toBe(EXIT.network);
    expect(test.stderr).toContain('DUO_RATE_LIMITED');
  }, 60_000);

  it('exits 3 when no connection is set, and 2 when the secret key is put on the command line', async () => {
    const env = { TEC_DATA_DIR: tempDir() };
    expect((await runTec(['duo', 'test'], { env })).code).toBe(EXIT.notFound);
    expect((await runTec(['duo', 'connect', '--api-hostname', 'h', '--integration-key', 'k', '--secret-key', 's'], { env })).code).toBe(EXIT.usage);
  });

  it('lists disagreements (exit 7, --json) and shows Duo\'s view in tec verify', async () => {
    const dataDir = tempDir();
    const { core } = await syncedTenantComparedWithDuo(track, dataDir);
    const env = { TEC_DATA_DIR: dataDir };
    const run = await runTec(['duo', 'disagreements', '--json'], { env });
    expect(run.code, run.stderr).toBe(EXIT.negative);
    const list = JSON.parse(run.stdout) as { items: Array<{ username: string; match: { identifier: string | null } }> };
    expect(list.items.length).toBeGreaterThan(0);
    const first = list.items.find((i) => i.match.identifier)!;
    const verify = await runTec(['verify', '--user', first.username, '--identifier', first.match.identifier!], { env });
    expect(verify.stdout).toContain("Duo's view of");
    expect(verify.stdout).toContain('DISAGREEMENT');
    await core.close();
  });
});
