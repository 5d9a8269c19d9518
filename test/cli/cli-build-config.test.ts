import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../support/temp-dir';

const tempDir = useTempDir();

describe('the tec build configuration', () => {
  it('loads as an ES module: vite builds tec without a warning about the config file', () => {
    const outDir = tempDir();
    const vite = path.resolve('node_modules/.bin/vite');
    const run = spawnSync(vite, ['build', '--config', 'vite.cli.config.mts', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      encoding: 'utf8',
      env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: '' },
    });
    expect(run.status, run.stderr).toBe(0);
    // Vite prints "(!) Your Vite config uses features that are unsupported by `configLoader: 'native'`" for ESM in a
    // config file that Node would load as CommonJS.
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/Vite config|configLoader|CommonJS/);
    expect(fs.existsSync(path.join(outDir, 'tec.cjs'))).toBe(true);
  });
});
