import { useEffect, useState } from 'react';
import { CHECKIN_AGE_LABELS, CHECKIN_AGES, ivantiValueLabel, type DeviceFacets, type DeviceFilters, type DeviceQuery } from '../../../../src-shared/domain/device';
import type { Integration } from '../../../../src-shared/domain/integration';
import { hasFilters } from './devices-store';

/** Typing waits this long for the next key before searching, so a fast typist sends one query, not ten. */
const TYPING_PAUSE_MS = 150;

interface Option {
  value: string;
  label: string;
}

/** Filters whose choices are fixed by the console, not by what was synced. */
const FIXED_CHOICES: { key: 'compliance' | 'checkinAge' | 'trust'; label: string; options: Option[] }[] = [
  {
    key: 'compliance',
    label: 'Compliance',
    options: [
      { value: 'compliant', label: 'Compliant' },
      { value: 'non-compliant', label: 'Not compliant' },
      { value: 'unknown', label: 'Unknown' },
    ],
  },
  { key: 'checkinAge', label: 'Last check-in', options: CHECKIN_AGES.map((a) => ({ value: a, label: CHECKIN_AGE_LABELS[a] })) },
  {
    key: 'trust',
    label: 'Trust',
    options: [
      { value: 'trusted', label: 'Trusted' },
      { value: 'not-trusted', label: 'Not trusted' },
      { value: 'cant-tell', label: "Can't tell" },
    ],
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

  const values = (counts: { value: string | null; count: number }[] | undefined, word: (value: string) => string = (v) => v): Option[] =>
    (counts ?? []).filter((c) => c.value !== null).map((c) => ({ value: c.value!, label: `${word(c.value!)} (${c.count.toLocaleString()})` }));

  return (
    <div className="devices-filters" role="search">
      <div className="field devices-search-field">
        <label htmlFor="device-search">Search devices</label>
        <input
          id="device-search"
          type="search"
          value={text}
          placeholder="Name, user, serial, IMEI, Device Client ID…"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') onText(text);
          }}
          aria-describedby="device-search-hint"
        />
        <span id="device-search-hint" className="small muted">
          {text.trim().length === 1
            ? 'Type at least two characters.'
            : 'Searches the name, user, e-mail, model, serial, IMEI, UDID, MAC and Device Client ID, from the start of any word: “ada.lov”, “3fa9”, “aa:bb:cc”.'}
        </span>
      </div>
      <Select
        id="filter-integration"
        label="Integration"
        value={query.integrationId}
        options={integrations.map((i) => ({ value: i.id, label: i.name }))}
        onChange={(v) => onFilter('integrationId', v)}
      />
      <Select id="filter-space" label="Space" value={query.spaceName} options={values(facets?.spaces)} onChange={(v) => onFilter('spaceName', v)} />
      <Select id="filter-platform" label="Platform" value={query.platformType} options={values(facets?.platforms, ivantiValueLabel)} onChange={(v) => onFilter('platformType', v)} />
      <Select
        id="filter-state"
        label="Registration state"
        value={query.registrationState}
        options={values(facets?.registrationStates, ivantiValueLabel)}
        onChange={(v) => onFilter('registrationState', v)}
      />
      {FIXED_CHOICES.map((f) => (
        <Select key={f.key} id={`filter-${f.key}`} label={f.label} value={query[f.key]} options={f.options} onChange={(v) => onFilter(f.key, v as never)} />
      ))}
      <Select
        id="filter-presence"
        label="In the tenant"
        value={query.presence}
        anyLabel="Current devices"
        options={[
          { value: 'removed', label: 'Removed devices' },
          { value: 'all', label: 'Current and removed' },
        ]}
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

function Select({
  id,
  label,
  value,
  options,
  onChange,
  anyLabel = 'Any',
}: {
  id: string;
  label: string;
  value: string | undefined;
  options: Option[];
  onChange(value: string | undefined): void;
  anyLabel?: string;
}) {
  // A value set from elsewhere (a chart, a saved search) that the synced choices do not list is still shown.
  const all = value !== undefined && !options.some((o) => o.value === value) ? [...options, { value, label: value }] : options;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
        <option value="">{anyLabel}</option>
        {all.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
