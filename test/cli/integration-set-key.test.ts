import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/cli-io';
import { requirePrivateKeyring } from '../support/keyring';
import { useTempDir } from '../support/temp-dir';
import { runTec } from './cli-harness';

const tempDir = useTempDir();

async function withIntegration() {
  const env = { TEC_DATA_DIR: tempDir(), TEC_IVANTI_PASSWORD: 'pw-for-set-key' };
  const add = await runTec(['integration', 'add', '--name', 'Acme', '--platform', 'android', '--domain', 'acmecorp.mobileiron.com', '--email', 'api@acme.example'], { env });
  expect(add.code, add.stderr).toBe(EXIT.ok);
  return env;
}

describe('tec integration set-key: the configuration key Duo issued, entered, never invented', () => {
  beforeAll(() => requirePrivateKeyring());

  it('accepts a pasted key with spaces and a zero-width character once cleaned', async () => {
    const env = await withIntegration();
    const run = await runTec(['integration', 'set-key', 'Acme', '--key', ' DPK0W0KLPJ\u200BLOGSKHTDD \n', '--json'], { env });
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ configurationKey: 'DPK0W0KLPJLOGSKHTDD', configurationKeyFromDuo: true });
  });

  it('warns about a value of another shape and saves it only with --force', async () => {
    const env = await withIntegration();
    const refused = await runTec(['integration', 'set-key', 'Acme', '--key', 'DPK0W0KLPJ'], { env });
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.stderr).toContain("doesn't look like the keys Duo shows");
    const list = JSON.parse((await runTec(['integration', 'list', '--json'], { env })).stdout) as Array<{ configurationKey: string | null }>;
    expect(list[0]!.configurationKey).not.toBe('DPK0W0KLPJ');
    const forced = await runTec(['integration', 'set-key', 'Acme', '--key', 'DPK0W0KLPJ', '--force', '--json'], { env });
    expect(forced.code, forced.stderr).toBe(EXIT.ok);
    expect(JSON.parse(forced.stdout)).toMatchObject({ configurationKey: 'DPK0W0KLPJ' });
  });

  it('creates an integration without a key: tec integration add prints none and points to set-key', async () => {
    const env = { TEC_DATA_DIR: tempDir(), TEC_IVANTI_PASSWORD: 'pw-for-set-key' };
    const add = await runTec(['integration', 'add', '--name', 'Acme', '--platform', 'android', '--domain', 'acmecorp.mobileiron.com', '--email', 'api@acme.example'], { env });
    expect(add.code, add.stderr).toBe(EXIT.ok);
    expect(add.stdout).not.toMatch(/DPK[A-Z0-9]{16}/);
    expect(add.stdout).toContain('tec integration set-key "Acme" --key');
    const [integration] = JSON.parse((await runTec(['integration', 'list', '--json'], { env })).stdout) as Array<{ configurationKey: string | null; configurationKeyFromDuo: boolean | null }>;
    expect(integration).toMatchObject({ configurationKey: null, configurationKeyFromDuo: null });
  });

  it('tec integration add --key records the pasted key from Duo, cleaned, in the same step', async () => {
    const env = { TEC_DATA_DIR: tempDir(), TEC_IVANTI_PASSWORD: 'pw-for-set-key' };
    const args = ['integration', 'add', '--name', 'Acme', '--platform', 'android', '--domain', 'acmecorp.mobileiron.com', '--email', 'api@acme.example'];
    const add = await runTec([...args, '--key', ' DPK0W0KLPJ\u200BLOGSKHTDD\n'], { env });
    expect(add.code, add.stderr).toBe(EXIT.ok);
    expect(add.stdout).toContain('Recorded the configuration key DPK0W0KLPJLOGSKHTDD from Duo');
    expect(add.stdout).not.toContain('set-key');
    const [integration] = JSON.parse((await runTec(['integration', 'list', '--json'], { env })).stdout) as Array<{ configurationKey: string | null; configurationKeyFromDuo: boolean | null }>;
    expect(integration).toMatchObject({ configurationKey: 'DPK0W0KLPJLOGSKHTDD', configurationKeyFromDuo: true });
  });

  it('tec integration add --key refuses a key of another shape without --force and creates nothing', async () => {
    const env = { TEC_DATA_DIR: tempDir(), TEC_IVANTI_PASSWORD: 'pw-for-set-key' };
    const args = ['integration', 'add', '--name', 'Acme', '--platform', 'android', '--domain', 'acmecorp.mobileiron.com', '--email', 'api@acme.example', '--json'];
    const refused = await runTec([...args, '--key', 'DPK0W0KLPJ'], { env });
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.stderr).toContain("doesn't look like the keys Duo shows");
    expect(JSON.parse((await runTec(['integration', 'list', '--json'], { env })).stdout)).toEqual([]);
    const forced = await runTec([...args, '--key', 'DPK0W0KLPJ', '--force'], { env });
    expect(forced.code, forced.stderr).toBe(EXIT.ok);
    expect(JSON.parse(forced.stdout)).toMatchObject({ configurationKey: 'DPK0W0KLPJ', configurationKeyFromDuo: true });
  });

  it('tec integration add refuses --key for a legacy certificate integration, which has no configuration key', async () => {
    const env = { TEC_DATA_DIR: tempDir(), TEC_IVANTI_PASSWORD: 'pw-for-set-key' };
    const run = await runTec(['integration', 'add', '--name', 'Old', '--platform', 'ios-certs', '--legacy', '--domain', 'acmecorp.mobileiron.com', '--email', 'api@acme.example', '--key', 'DPK0W0KLPJLOGSKHTDD'], { env });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('has no configuration key');
  });

  it('explains --key in the help: pasted from Duo, the shape warning, --force', async () => {
    const help = await runTec(['integration', '--help']);
    expect(help.stdout).toContain('[--key KEY [--force]]');
    expect(help.stdout).toContain('the Duo Admin Panel shows');
    expect(help.stdout).toContain('never makes one up');
  });
});
