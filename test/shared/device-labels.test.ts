import { describe, expect, it } from 'vitest';
import { ivantiValueLabel } from '../../src-shared/domain/device';

describe('ivantiValueLabel', () => {
  it('shows the platforms and registration states Ivanti sends in admin words', () => {
    expect(ivantiValueLabel('RETIRE_PENDING')).toBe('Retire pending');
    expect(ivantiValueLabel('IOS')).toBe('iOS');
    expect(ivantiValueLabel('WINDOWS_PHONE')).toBe('Windows');
    expect(ivantiValueLabel('ACTIVE')).toBe('Active');
  });

  it('spells out an enum it does not know, and leaves a value that is not an enum as the tenant wrote it', () => {
    expect(ivantiValueLabel('WIPE_PENDING')).toBe('Wipe pending');
    expect(ivantiValueLabel('Marketing team')).toBe('Marketing team');
    expect(ivantiValueLabel(null)).toBe('Not reported');
  });
});
