import { useEffect, useState } from 'react';
import { CHECKIN_AGE_LABELS, CHECKIN_AGES, ivantiValueLabel, type DeviceFacets, type DeviceFilters, type DeviceQuery } from '../../../../src-shared/domain/device';
import type { Integration } from '../../../../src-shared/domain/integration';
import { Field } from '../../shared/ui/Field';
import { ChoiceField, choices, type Choice } from '../../shared/ui/ChoiceField';
import { hasFilters } from './devices-store';

/** Typing waits this long for the next key before searching, so a fast typist sends one query, not ten. */
const TYPING_PAUSE_MS = 150;

/** Filters whose choices are fixed by the console, not by what was synced. */
const FIXED_CHOICES: { key: 'compliance' | 'checkinAge' | 'trust'; label: string; options: Choice[] }[] = [
  {
    key: 'compliance',
    label: 'Compliance',
    options: choices([
      ['compliant', 'Compliant'],
      ['non-compliant', 'Not compliant'],
      ['unknown', 'Unknown'],
    ]),
  },
  { key: 'checkinAge', label: 'Last check-in', options: CHECKIN_AGES.map((a) => ({ value: a, label: CHECKIN_AGE_LABELS[a] })) },
  {
    key: 'trust',
    label: 'Trust',
    options: choices([
      ['trusted', 'Trusted'],
      ['not-trusted', 'Not trusted'],
      ['cant-tell', "Can't tell"],
    ]),
  },
];

/** Search-as-you-type and the explorer's filters; choices for platform, state and space come from what is synced. */
export function DeviceFilterBar({
  query,
  facets,
  integrations,
  onText,
  onFilter,
  onClear,
}: {
  query: DeviceQuery;
  facets: DeviceFacets | null;
  integrations: Integration[];
  onText(text: string): void;
  onFilter<K extends keyof DeviceFilters>(key: K, value: DeviceFilters[K] | undefined): void;
  onClear(): void;
}) {
  const [text, setText] = useState(query.text ?? '');
  useEffect(() => setText(query.text ?? ''), [query.text]);
  useEffect(() => {
    if (text === (query.text ?? '')) return;
    const timer = setTimeout(() => onText(text), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
    // Only the typed text starts a search; the query catching up must not start another.
    // oxlint-disable-next-line react-hooks/exhaustive-deps -- onText and query.text are left out on purpose (above)
  }, [text]);

  const values = (counts: { value: string | null; count: number }[] | undefined, word: (value: string) => string = (v) => v): Choice[] =>
    (counts ?? []).filter((c) => c.value !== null).map((c) => ({ value: c.value!, label: `${word(c.value!)} (${c.count.toLocaleString()})` }));

  return (
    <div className="devices-filters" role="search">
      <Field
        id="device-search"
        label="Search devices"
        className="devices-search-field"
        hint={
          text.trim().length === 1
            ? 'Type at least two characters.'
            : 'Searches the name, user, e-mail, model, serial, IMEI, UDID, MAC and Device Client ID, from the start of any word: “ada.lov”, “3fa9”, “aa:bb:cc”.'
        }
      >
        {(control) => (
          <input
            {...control}
            type="search"
            value={text}
            placeholder="Name, user, serial, IMEI, Device Client ID…"
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') onText(text);
            }}
          />
        )}
      </Field>
      <ChoiceField
        id="filter-integration"
        label="Integration"
        value={query.integrationId}
        choices={integrations.map((i) => ({ value: i.id, label: i.name }))}
        onChange={(v) => onFilter('integrationId', v)}
      />
      <ChoiceField id="filter-space" label="Space" value={query.spaceName} choices={values(facets?.spaces)} onChange={(v) => onFilter('spaceName', v)} />
      <ChoiceField id="filter-platform" label="Platform" value={query.platformType} choices={values(facets?.platforms, ivantiValueLabel)} onChange={(v) => onFilter('platformType', v)} />
      <ChoiceField
        id="filter-state"
        label="Registration state"
        value={query.registrationState}
        choices={values(facets?.registrationStates, ivantiValueLabel)}
        onChange={(v) => onFilter('registrationState', v)}
      />
      {FIXED_CHOICES.map((f) => (
        <ChoiceField key={f.key} id={`filter-${f.key}`} label={f.label} value={query[f.key]} choices={f.options} onChange={(v) => onFilter(f.key, v as never)} />
      ))}
      <ChoiceField
        id="filter-presence"
        label="In the tenant"
        value={query.presence}
        anyLabel="Current devices"
        choices={choices([
          ['removed', 'Removed devices'],
          ['all', 'Current and removed'],
        ])}
        onChange={(v) => onFilter('presence', v as DeviceFilters['presence'])}
      />
      {hasFilters(query) ? (
        <button type="button" className="devices-clear-filters" onClick={onClear}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}
