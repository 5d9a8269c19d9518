import { describe, expect, it } from 'vitest';
import { ABOUT_BUTTONS, buildAboutContent, showAboutDialog, type AboutFacts } from '../../src-main/electron/about';

const facts: AboutFacts = {
  info: {
    name: 'Trusted Endpoints Console',
    version: '0.1.0',
    dataDir: '/home/ann/.config/Trusted Endpoints Console',
    runtime: { node: '22.20.0', electron: '45.5.0', chrome: '140.0.7339.133' },
  },
  logDir: '/home/ann/.config/Trusted Endpoints Console/logs',
  os: { platform: 'linux', arch: 'x64', release: '6.1.0' },
};

describe('About dialog content', () => {
  it('shows the version, the Electron, Chromium and Node versions, the data and log directories', () => {
    expect(buildAboutContent(facts)).toEqual({
      title: 'About Trusted Endpoints Console',
      message: 'Trusted Endpoints Console 0.1.0',
      detail: [
        'Version: 0.1.0',
        'Electron: 45.5.0',
        'Chromium: 140.0.7339.133',
        'Node.js: 22.20.0',
        'OS: linux x64 6.1.0',
        '',
        'Data directory: /home/ann/.config/Trusted Endpoints Console',
        'Log directory: /home/ann/.config/Trusted Endpoints Console/logs',
      ].join('\n'),
    });
  });

  it('says so when not running inside Electron (the CLI from plain Node)', () => {
    const detail = buildAboutContent({ ...facts, info: { ...facts.info, runtime: { node: '20.20.2', electron: null, chrome: null } } }).detail;
    expect(detail).toContain('Electron: not running in Electron');
    expect(detail).toContain('Chromium: not running in Electron');
  });
});

describe('About dialog', () => {
  // A stand-in for Electron's dialog/clipboard/shell: they cannot run outside Electron, and what is checked here is
  // only which of them the dialog's answer leads to.
  function electronAnswering(button: (typeof ABOUT_BUTTONS)[number]) {
    const calls: string[] = [];
    return {
      calls,
      electron: {
        dialog: {
          showMessageBox: async (...args: unknown[]) => {
            const options = args.at(-1) as { buttons: string[]; detail: string };
            calls.push(`dialog:${options.buttons.join('|')}`);
            return { response: options.buttons.indexOf(button), checkboxChecked: false };
          },
        },
        clipboard: { writeText: (text: string) => void calls.push(`clipboard:${text.split('\n')[0]}`) },
        shell: { openPath: async (path: string) => (calls.push(`open:${path}`), '') },
      },
    };
  }

  it('copies the whole text or opens the logs folder, as the admin chooses', async () => {
    const copy = electronAnswering('Copy details');
    await showAboutDialog(copy.electron as never, facts);
    expect(copy.calls).toEqual(['dialog:OK|Copy details|Open logs folder', 'clipboard:Trusted Endpoints Console 0.1.0']);

    const open = electronAnswering('Open logs folder');
    await showAboutDialog(open.electron as never, facts);
    expect(open.calls).toEqual(['dialog:OK|Copy details|Open logs folder', `open:${facts.logDir}`]);

    const ok = electronAnswering('OK');
    await showAboutDialog(ok.electron as never, facts);
    expect(ok.calls).toEqual(['dialog:OK|Copy details|Open logs folder']);
  });
});
