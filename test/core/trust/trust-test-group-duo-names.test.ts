import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { DuoStore } from '../../../src-main/core/duo/duo-store';
import { TrustVerifier } from '../../../src-main/core/trust/trust-verifier';
import { useTempDir } from '../../support/temp-dir';
import { CertificateTable, IDENTIFIER, USER, writeScenario } from './trust-scenario';

const tempDir = useTempDir();
const opened: Db[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

describe('the test group, for a user signing in under another name Duo knows', () => {
  it('counts the user in when an alias or the email Duo has for them is in the group, as Duo resolves the sign-in name first', () => {
    const { db } = openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations });
    opened.push(db);
    // The test group holds USER (alice@acme.example); the admin verifies the Duo username "alice".
    writeScenario(db, { platform: 'android', status: 'test-group-member', device: 'active', sync: 'fresh', certificate: null });
    const duo = new DuoStore(db);
    const verifier = new TrustVerifier(db, new CertificateTable(), () => new Date(), duo);
    const asUsername = () => verifier.verify({ user: 'alice', identifier: IDENTIFIER, platform: 'android' });
    expect(asUsername()).toMatchObject({ answer: 'not-trusted', lead: { code: 'user-not-in-test-group' } });

    const read = { kind: 'users' as const, status: 'completed' as const, startedAt: 1, finishedAt: 2, count: 1, error: null };
    duo.replaceUsers([{ userId: 'DU1', username: 'alice', realname: 'Alice', email: USER, status: 'active', aliases: [] }], 2, read);
    expect(asUsername()).toMatchObject({ answer: 'trusted' });
    duo.replaceUsers([{ userId: 'DU2', username: 'al', realname: 'Al', email: null, status: 'active', aliases: [USER] }], 3, read);
    expect(verifier.verify({ user: 'al', identifier: IDENTIFIER, platform: 'android' })).toMatchObject({ answer: 'trusted' });
    // A name Duo does not know stays out.
    expect(verifier.verify({ user: 'mallory', identifier: IDENTIFIER, platform: 'android' }).lead.code).toBe('user-not-in-test-group');
  });
});
