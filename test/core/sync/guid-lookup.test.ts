import { describe, expect, it } from 'vitest';
import { GuidLookup } from '../../../src-main/core/sync/guid-lookup';

const guid = (n: number) => `${n.toString(16).padStart(8, '0')}-4a1b-4c2d-8e3f-${(n * 7919).toString(16).padStart(12, '0')}`;

describe('GuidLookup', () => {
  it('finds every guid added, through several doublings, and no guid that was not added', () => {
    const lookup = new GuidLookup();
    const stored = new Map<number, string>();
    for (let id = 1; id <= 200_000; id++) {
      lookup.add(guid(id), id);
      stored.set(id, guid(id));
    }
    const confirm = (wanted: string) => (id: number) => (stored.get(id) === wanted ? id : undefined);
    for (let id = 1; id <= 200_000; id += 97) expect(lookup.find(guid(id), confirm(guid(id)))).toBe(id);
    for (let id = 200_001; id <= 201_000; id++) expect(lookup.find(guid(id), confirm(guid(id)))).toBeUndefined();
    expect(lookup.size).toBe(200_000);
  });

  it('passes over a match its confirmation rejects (a row rolled back, its id reused) to the one it accepts', () => {
    const lookup = new GuidLookup();
    lookup.add('same-guid', 7);
    lookup.add('same-guid', 9);
    const asked: number[] = [];
    expect(lookup.find('same-guid', (id) => (asked.push(id), id === 9 ? 'row 9' : undefined))).toBe('row 9');
    expect(asked).toEqual([7, 9]);
    expect(lookup.find('other-guid', () => 'never asked')).toBeUndefined();
  });
});
