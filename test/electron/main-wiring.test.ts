import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

// The Electron binary cannot run here, so the main process's start-up order is checked in its source.
const main = fs.readFileSync('src-main/electron/main.ts', 'utf8');
const at = (text: string) => {
  const index = main.indexOf(text);
  expect(index, `main.ts should contain: ${text}`).toBeGreaterThanOrEqual(0);
  return index;
};

describe('Electron main start-up order', () => {
  it('checks the native modules before the core opens the database or the keychain', () => {
    const start = at('function start(): void {');
    expect(main.indexOf('assertNativeModulesLoadable(require, process.versions);', start)).toBeLessThan(main.indexOf('core = createCore({', start));
  });

  it('starts the background sync scheduler once the core exists, and only in the desktop app', () => {
    expect(at('core.services.syncScheduler.start();')).toBeGreaterThan(at('core = createCore({'));
    expect(fs.readFileSync('src-main/cli/main.ts', 'utf8')).not.toContain('syncScheduler.start');
  });

  it('runs --cli mode without taking the single-instance lock or opening a window', () => {
    const cliBranch = main.slice(at('if (cliArgs !== null) {'), at('} else {\n  startDesktop();'));
    expect(cliBranch).toContain('void runCliMode(cliArgs);');
    expect(cliBranch).not.toContain('requestSingleInstanceLock');
    expect(at('function startDesktop(): void {')).toBeLessThan(at('if (!app.requestSingleInstanceLock()) {'));
  });

  it('closes the core (which stops the scheduler and any sync) and the log file on quit', () => {
    const quit = main.slice(at("app.on('will-quit', () => {"));
    expect(quit).toMatch(/core\?\.close\(\);\s*logFile\?\.close\(\);/);
  });
});
