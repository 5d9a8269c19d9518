import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../src-main/core/app/composition-root';
import { requirePrivateKeyring } from '../../support/keyring';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-core-close-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('closing the core', () => {
  it('lets no event reach a listener once the database is closed, whoever emits it', async () => {
    requirePrivateKeyring();
    const core = createCore({ dataDir, version: 'test', transport: 'web-test-rig' });
    const heard: string[] = [];
    // A listener that reads the database, as the certificate expiry notices do on sync.finished.
    core.events.subscribe((name) => heard.push(`${name}: ${String(core.services.settings.get().certificateWarningDays)}`));
    core.events.emit('app.notice', { level: 'info', code: 'before-close', message: 'open' });
    expect(heard).toHaveLength(1);

    await core.close();
    // A late emitter (a worker message or an in-process run finishing after close) must not throw into its caller.
    expect(() => core.events.emit('app.notice', { level: 'info', code: 'after-close', message: 'closed' })).not.toThrow();
    expect(heard).toHaveLength(1);
  });
});
