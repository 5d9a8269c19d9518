import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { DeviceQuery, ListedDevice, DeviceSortColumn } from '../../../../src-shared/domain/device';
import { MASKED_VALUE_EXPLANATION } from '../../../../src-shared/domain/trust';
import { cellTitle, DEVICE_COLUMNS, GRID_TEMPLATE, showsMaskedValues, TABLE_WIDTH } from './device-columns';
import { rowAt } from './devices-store';

const ROW_HEIGHT = 30;
/** The name column stays put while the table scrolls sideways, so a focused row always says which device it is. */
const STICKY_COLUMN = 'deviceName';

/**
 * The explorer's table, virtualized: only the rows on screen (and a margin) exist in the page, whatever the total, and
 * their data comes in pages of 100 fetched on demand. At 30 px a row, a million devices is a 30,000,000 px scroll
 * height, under Chromium's ~33,500,000 px limit for an element.
 */
export function DeviceTable({
  total,
  pages,
  generation,
  query,
  onRange,
  onSort,
  onOpen,
}: {
  total: number;
  pages: Record<number, ListedDevice[]>;
  generation: number;
  query: DeviceQuery;
  onRange(first: number, last: number): void;
  onSort(column: DeviceSortColumn): void;
  onOpen(id: number): void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (total > 0) onRange(first, last);
  }, [first, last, total, generation, onRange]);

  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [generation]);

  function focusRow(index: number) {
    if (index < 0 || index >= total) return;
    virtualizer.scrollToIndex(index);
    // The virtualizer has scrolled the row into view vertically; focusing it must not scroll sideways to its far end.
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${index}"]`)?.focus({ preventScroll: true }));
  }

  function onRowKey(event: KeyboardEvent<HTMLDivElement>, index: number, row: ListedDevice | undefined) {
    if ((event.key === 'Enter' || event.key === ' ') && row) {
      event.preventDefault();
      onOpen(row.id);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      focusRow(index + (event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'PageDown' || event.key === 'PageUp') {
      event.preventDefault();
      const step = Math.max(1, items.length - 2 * 15);
      focusRow(Math.min(total - 1, Math.max(0, index + (event.key === 'PageDown' ? step : -step))));
    }
  }

  return (
    <>
    <div className="devices-table" role="table" aria-label="Devices" aria-rowcount={total + 1} data-testid="device-table">
      <div ref={scrollRef} className="devices-table-scroll" data-testid="device-table-scroll">
        <div role="rowgroup" className="devices-table-head" style={{ width: TABLE_WIDTH }}>
          <div role="row" aria-rowindex={1} className="devices-row" style={{ gridTemplateColumns: GRID_TEMPLATE }}>
            {DEVICE_COLUMNS.map((column) => {
              const sortBy = column.sort;
              if (sortBy === null) {
                return (
                  <div key={column.key} role="columnheader" className="devices-cell devices-column-label" title="For the user the device is registered to in Ivanti">
                    {column.label}
                  </div>
                );
              }
              const sorted = query.sort?.column === sortBy ? query.sort.direction : null;
              return (
                <div
                  key={column.key}
                  role="columnheader"
                  aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
                  className={`devices-cell${column.key === STICKY_COLUMN ? ' devices-sticky-cell' : ''}`}
                >
                  <button type="button" className="devices-sort-button" onClick={() => onSort(sortBy)} title={`Sort by ${column.label}`}>
                    {column.label}
                    <span aria-hidden="true">{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}</span>
                  </button>
                </div>
              );
            })}
          </div>
        </div>
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), width: TABLE_WIDTH, position: 'relative' }}>
          {items.map((item) => {
            const row = rowAt(pages, item.index);
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 2}
                aria-busy={row ? undefined : true}
                data-index={item.index}
                tabIndex={row ? 0 : -1}
                className={`devices-row devices-body-row${row?.removedAt ? ' devices-removed' : ''}`}
                style={{ gridTemplateColumns: GRID_TEMPLATE, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onClick={() => row && onOpen(row.id)}
                onKeyDown={(event) => onRowKey(event, item.index, row)}
              >
                {DEVICE_COLUMNS.map((column) => {
                  const text = row ? column.value(row) : '…';
                  const tone = row && column.tone ? ` ${column.tone(row)}` : '';
                  return (
                    <div
                      key={column.key}
                      role="cell"
                      className={`devices-cell${column.mono ? ' mono' : ''}${tone}${column.key === STICKY_COLUMN ? ' devices-sticky-cell' : ''}`}
                      title={row ? cellTitle(column, row) : undefined}
                    >
                      {text}
                    </div>
                  );
                })}
              </div>
            );
          })}
        </div>
      </div>
    </div>
    {showsMaskedValues(Object.values(pages).flat()) ? (
      <p className="small muted devices-masked-note">
        <span className="mono">********</span>: {MASKED_VALUE_EXPLANATION}
      </p>
    ) : null}
    </>
  );
}
