import { describe, expect, it } from 'vitest';
import { unreadableReason, unreadableSpaceNames, type SyncRunError } from '../../src-shared/domain/sync';

/** A run that could not read "Restricted" (403), after noting that "Default Space" kept changing while it was read. */
const ERRORS: SyncRunError[] = [
  { code: 'SYNC_TENANT_CHANGING', message: 'Devices kept being enrolled or removed in the space "Default Space" while it was read.', space: 'Default Space' },
  { code: 'SYNC_TENANT_CHANGING', message: 'Devices kept being enrolled or removed in the space "Restricted" while it was read.', space: 'Restricted' },
  { code: 'IVANTI_SPACE_FORBIDDEN', message: 'The API user may not read devices in the space "Restricted" (HTTP 403).', space: 'Restricted' },
  { code: 'IVANTI_SPACE_FORBIDDEN', message: 'Again: no Device Read Only in "Restricted".', space: 'Restricted' },
];

describe("a run's unreadable spaces, from its errors", () => {
  it('are the spaces a space failure names, not those a note names (the CLI and the sync history count these)', () => {
    expect(unreadableSpaceNames(ERRORS)).toEqual(['Restricted']);
    expect(unreadableSpaceNames([{ code: 'IVANTI_AUTH_REJECTED', message: 'Wrong password.' }])).toEqual([]);
  });

  it("give as the space's reason the last failure recorded there, never a note of an earlier pass", () => {
    expect(unreadableReason(ERRORS, 'Restricted')).toBe('Again: no Device Read Only in "Restricted".');
    expect(unreadableReason(ERRORS, 'Default Space')).toBeNull();
  });
});
