import { describe, expect, it } from 'vitest';
import { extractCliArgs } from '../../src-main/electron/cli-mode';

describe('extractCliArgs', () => {
  it('answers null for a normal start, so the app opens its window', () => {
    expect(extractCliArgs(['/opt/Trusted Endpoints Console/trusted-endpoints-console'])).toBeNull();
    expect(extractCliArgs(['/usr/bin/electron', '.', '--no-sandbox'])).toBeNull();
  });

  it('takes everything after --cli in a packaged app', () => {
    expect(extractCliArgs(['C:\\Apps\\Trusted Endpoints Console.exe', '--cli', 'sync', '--integration', 'Android'])).toEqual([
      'sync',
      '--integration',
      'Android',
    ]);
  });

  it('ignores what Electron and Chromium put before --cli, in development and from the shims', () => {
    expect(extractCliArgs(['/usr/bin/electron', 'out/main/index.js', '--cli', 'devices', 'list'])).toEqual(['devices', 'list']);
    expect(extractCliArgs(['/opt/app/app', '--ozone-platform=headless', '--cli', '--', 'audit', 'export'])).toEqual(['audit', 'export']);
  });

  it('drops only the first -- (the end of Chromium switches) and keeps a later one for the CLI', () => {
    expect(extractCliArgs(['app', '--cli', '--', 'devices', 'search', '--', '--odd-name'])).toEqual(['devices', 'search', '--', '--odd-name']);
  });

  it('leaves a --cli among the CLI\'s own arguments to the CLI', () => {
    expect(extractCliArgs(['app', '--cli', '--', 'notes', 'add', '--cli'])).toEqual(['notes', 'add', '--cli']);
  });

  it('answers an empty list for a bare --cli, so the CLI can print its help', () => {
    expect(extractCliArgs(['app', '--cli'])).toEqual([]);
    expect(extractCliArgs(['app', '--cli', '--'])).toEqual([]);
  });
});
