import { useEffect } from 'react';
import { useNavigation } from '../../app/navigation-store';
import { errorText } from '../../shared/error-text';
import { ExportControl } from '../audit/ExportControl';
import { DeviceDrawer } from './DeviceDrawer';
import { DeviceFilterBar } from './DeviceFilterBar';
import { DeviceTable } from './DeviceTable';
import { hasFilters, useDevices } from './devices-store';
import { SavedSearches } from './SavedSearches';
import './devices.css';
import { EmptyState } from '../../shared/ui/EmptyState';

/**
 * The device explorer: every synced device of every integration, searchable as you type, filtered, sorted on any
 * column, in a table that holds only what is on screen. Works offline: everything comes from the local database.
 */
export function DevicesPage() {
  const go = useNavigation((s) => s.go);
  const devices = useDevices();
  const { loadOptions, refresh, listen, generation } = devices;

  useEffect(listen, [listen]);

  useEffect(() => {
    void loadOptions();
    // The first visit runs the default query; coming back keeps the admin's search and place, unless it found nothing
    // (a sync may have brought devices since).
    const { generation: runs, total } = useDevices.getState();
    if (runs === 0 || total === 0) refresh();
  }, [loadOptions, refresh]);

  const nothingSynced = devices.facets !== null && devices.facets.total === 0 && devices.total === 0 && !hasFilters(devices.query) && !devices.query.text;
  return (
    <section aria-labelledby="devices-title" className="devices-page">
      <div className="page-header">
        <h1 id="devices-title">Devices</h1>
        <span role="status" className="devices-total" data-testid="device-total">
          {devices.total === null ? 'Counting…' : `${devices.total.toLocaleString()} device${devices.total === 1 ? '' : 's'}`}
        </span>
      </div>
      {nothingSynced ? (
        <EmptyState
          title="No devices synced yet"
          action={
            <button type="button" onClick={() => go('integrations')}>
              Go to integrations
            </button>
          }
        >
          <p>Devices appear here after an integration's first sync from Ivanti Neurons. You can then search them offline.</p>
        </EmptyState>
      ) : (
        <>
          <DeviceFilterBar
            query={devices.query}
            facets={devices.facets}
            integrations={devices.integrations}
            onText={devices.setText}
            onFilter={devices.setFilter}
            onClear={devices.clearFilters}
          />
          <div className="devices-tools">
            <SavedSearches saved={devices.saved} onApply={(s) => devices.applyQuery(s.query)} onSave={devices.saveSearch} onDelete={devices.deleteSearch} />
            <ExportControl
              what="devices"
              allowRaw
              request={(format, includeRaw) => ({ kind: 'devices', format, query: useDevices.getState().query, includeRaw })}
            />
          </div>
          {devices.error ? <p role="alert">{errorText(devices.error)}</p> : null}
          {devices.total === 0 ? (
            <p className="muted" role="status">
              No device matches{devices.query.text ? ` “${devices.query.text}”` : ''}
              {hasFilters(devices.query) ? ' with these filters' : ''}.
            </p>
          ) : null}
          <DeviceTable
            total={devices.total ?? Object.values(devices.pages)[0]?.length ?? 0}
            pages={devices.pages}
            generation={generation}
            query={devices.query}
            onRange={devices.showRange}
            onSort={devices.sortBy}
            onOpen={(id) => void devices.open(id)}
          />
        </>
      )}
      {devices.selectedId !== null ? (
        <DeviceDrawer detail={devices.detail} verdict={devices.verdict} error={devices.detailError} onClose={devices.close} />
      ) : null}
    </section>
  );
}
