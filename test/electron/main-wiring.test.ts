import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

// main.ts only picks a branch and hands Electron's objects over; the start-up sequence itself is driven by
// desktop-start.test.ts. What stays here is the branch choice, which needs the Electron binary to run.
const main = fs.readFileSync('src-main/electron/main.ts', 'utf8');
const at = (text: string) => {
  const index = main.indexOf(text);
  expect(index, `main.ts should contain: ${text}`).toBeGreaterThanOrEqual(0);
  return index;
};

describe('the Electron main entry', () => {
  it('runs --cli mode without the desktop start (no single-instance lock, no window, no scheduler)', () => {
    const cliBranch = main.slice(at('if (cliArgs !== null) {'), at('} else {'));
    expect(cliBranch).toContain('void runCliMode(cliArgs);');
    expect(cliBranch).not.toContain('startDesktopApp');
    expect(main.slice(at('} else {'))).toMatch(/^\} else \{\s+startDesktopApp\(/);
  });

  it('lets the window follow the OS light or dark theme (nativeTheme system, answered by the tokens)', () => {
    expect(main).toContain("nativeTheme.themeSource = 'system';");
    expect(fs.readFileSync('src-renderer/src/shared/ui/tokens.css', 'utf8')).toContain('@media (prefers-color-scheme: dark)');
  });

  it('never starts the background scheduler from the CLI', () => {
    expect(fs.readFileSync('src-main/cli/main.ts', 'utf8')).not.toContain('syncScheduler.start');
  });
});
