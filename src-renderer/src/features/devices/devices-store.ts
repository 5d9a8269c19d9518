import { create } from 'zustand';
import type { DeviceDetail, DeviceFacets, DeviceFilters, DeviceQuery, DeviceSortColumn, ListedDevice, SavedSearch } from '../../../../src-shared/domain/device';
import type { Integration } from '../../../../src-shared/domain/integration';
import { isMaskedValue, type TrustVerdict } from '../../../../src-shared/domain/trust';
import { call, subscribe } from '../../shared/api';
import { LatestAnswers } from '../../shared/latest-answer';

/** Rows per request; the explorer never asks for more than the visible pages and a margin around them. */
export const PAGE_SIZE = 100;
/** Pages kept in memory (4,000 rows); those farthest from the visible range go first. */
const MAX_PAGES = 40;
/** Scrolling fast fires many ranges: only the range still visible after this pause is fetched. */
const FETCH_DELAY_MS = 60;

export const DEFAULT_QUERY: DeviceQuery = { sort: { column: 'lastCheckin', direction: 'desc' } };

interface DevicesState {
  query: DeviceQuery;
  /** Bumped whenever the query changes (the table scrolls back to the top); answers to an older query are dropped. */
  generation: number;
  total: number | null;
  pages: Record<number, ListedDevice[]>;
  error: unknown;
  integrations: Integration[];
  facets: DeviceFacets | null;
  saved: SavedSearch[];
  selectedId: number | null;
  detail: DeviceDetail | null;
  verdict: TrustVerdict | null;
  detailError: unknown;

  /** Replaces the whole query (overview charts, saved searches). */
  applyQuery(query: DeviceQuery): void;
  setText(text: string): void;
  setFilter<K extends keyof DeviceFilters>(key: K, value: DeviceFilters[K] | undefined): void;
  clearFilters(): void;
  sortBy(column: DeviceSortColumn): void;
  /** The rows the table shows changed: fetch the pages they fall in, once scrolling settles. */
  showRange(first: number, last: number): void;
  refresh(): void;
  /**
   * While the explorer is shown: a sync that ends reloads what it shows (count, visible rows, filter choices), keeping
   * the query and the scroll place. One that ended while it was not shown does the same when it is shown again.
   * Returns the function to call when the explorer goes.
   */
  listen(): () => void;
  loadOptions(): Promise<void>;
  saveSearch(name: string): Promise<void>;
  deleteSearch(id: number): Promise<void>;
  open(id: number): Promise<void>;
  close(): void;
}

let pending = new Set<number>();
let wanted: [number, number] = [0, 0];
let timer: ReturnType<typeof setTimeout> | null = null;
const answers = new LatestAnswers();
/** Whether the query that is showing is still the newest; every page and the count of one query share its ticket. */
let currentQuery: () => boolean = () => false;
/** Explorers shown (listen() calls not yet undone). */
let shown = 0;
/** A sync ended while no explorer was shown: what it held is out of date. */
let outdated = false;
let syncFinished: (() => void) | null = null;

export const useDevices = create<DevicesState>((set, get) => {
  async function fetchPage(page: number, isCurrent: () => boolean): Promise<void> {
    if (pending.has(page) || get().pages[page]) return;
    pending.add(page);
    try {
      const { rows } = await call('devices.search', { query: get().query, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
      if (!isCurrent()) return;
      set((state) => ({ pages: evict({ ...state.pages, [page]: rows }) }));
    } catch (error) {
      if (isCurrent()) set({ error });
    } finally {
      if (isCurrent()) pending.delete(page);
    }
  }

  function fetchWanted(): void {
    timer = null;
    const isCurrent = currentQuery;
    const [first, last] = wanted;
    for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor(last / PAGE_SIZE); page++) void fetchPage(page, isCurrent);
  }

  /** Drops the pages farthest from what is on screen once more than MAX_PAGES are held. */
  function evict(pages: Record<number, ListedDevice[]>): Record<number, ListedDevice[]> {
    const keys = Object.keys(pages).map(Number);
    if (keys.length <= MAX_PAGES) return pages;
    const centre = Math.floor((wanted[0] + wanted[1]) / 2 / PAGE_SIZE);
    const keep = keys.sort((a, b) => Math.abs(a - centre) - Math.abs(b - centre)).slice(0, MAX_PAGES);
    return Object.fromEntries(keep.map((k) => [k, pages[k]]));
  }

  async function run(query: DeviceQuery): Promise<void> {
    const isCurrent = answers.begin('query');
    currentQuery = isCurrent;
    pending = new Set();
    set({ query, generation: get().generation + 1, total: null, pages: {}, error: null });
    // The first page and the total are asked for together; the page does not wait for the count.
    void fetchPage(0, isCurrent);
    try {
      const { total } = await call('devices.count', { query });
      if (isCurrent()) set({ total });
    } catch (error) {
      if (isCurrent()) set({ error });
    }
  }

  /**
   * The same query read again after the data changed under it: the count and the pages on screen are fetched afresh and
   * replace the old ones together (no flash of empty rows, no jump back to the top); pages off screen are dropped.
   */
  async function reload(): Promise<void> {
    const isCurrent = answers.begin('query');
    currentQuery = isCurrent;
    pending = new Set();
    const query = get().query;
    const first = Math.floor(wanted[0] / PAGE_SIZE);
    const onScreen = Array.from({ length: Math.floor(wanted[1] / PAGE_SIZE) - first + 1 }, (_, i) => first + i);
    try {
      const [{ total }, ...pages] = await Promise.all([
        call('devices.count', { query }),
        ...onScreen.map((page) => call('devices.search', { query, offset: page * PAGE_SIZE, limit: PAGE_SIZE })),
      ]);
      if (isCurrent()) set({ total, pages: Object.fromEntries(pages.map(({ rows }, i) => [onScreen[i], rows])), error: null });
    } catch (error) {
      if (isCurrent()) set({ error });
    }
  }

  function afterSync(): void {
    void reload();
    void get().loadOptions();
  }

  return {
    query: DEFAULT_QUERY,
    generation: 0,
    total: null,
    pages: {},
    error: null,
    integrations: [],
    facets: null,
    saved: [],
    selectedId: null,
    detail: null,
    verdict: null,
    detailError: null,

    applyQuery(query) {
      void run({ ...(query.sort ? {} : { sort: DEFAULT_QUERY.sort }), ...query });
    },
    setText(text) {
      const { text: _old, ...rest } = get().query;
      void run(text.trim() === '' ? rest : { ...rest, text });
    },
    setFilter(key, value) {
      const next: DeviceQuery = { ...get().query };
      if (value === undefined) delete next[key];
      else next[key] = value as never;
      void run(next);
    },
    clearFilters() {
      const { text, sort } = get().query;
      void run({ ...(text ? { text } : {}), ...(sort ? { sort } : {}) });
    },
    sortBy(column) {
      const current = get().query.sort;
      const direction = current?.column === column && current.direction === 'asc' ? 'desc' : 'asc';
      void run({ ...get().query, sort: { column, direction } });
    },
    showRange(first, last) {
      wanted = [first, last];
      if (timer) clearTimeout(timer);
      timer = setTimeout(fetchWanted, FETCH_DELAY_MS);
    },
    refresh() {
      void run(get().query);
    },
    listen() {
      syncFinished ??= subscribe('sync.finished', () => {
        if (shown > 0) afterSync();
        else outdated = true;
      });
      shown += 1;
      // Nothing shown yet (generation 0) has nothing to bring up to date: the first visit runs the query anyway.
      if (outdated && get().generation > 0) afterSync();
      outdated = false;
      return () => {
        shown -= 1;
      };
    },
    loadOptions: () =>
      answers.load('options', () => Promise.all([call('integrations.list'), call('devices.facets', { query: {} }), call('savedSearches.list')]), {
        value: ([integrations, facets, saved]) => set({ integrations, facets, saved }),
        error: (error) => set({ error }),
      }),
    async saveSearch(name) {
      const { sort, ...rest } = get().query;
      await call('savedSearches.save', { name, query: { ...rest, ...(sort ? { sort } : {}) } });
      set({ saved: await call('savedSearches.list') });
    },
    async deleteSearch(id) {
      await call('savedSearches.delete', { id });
      set({ saved: await call('savedSearches.list') });
    },
    async open(id) {
      // Opening another device (or closing) drops the answers still on their way for this one.
      const isCurrent = answers.begin('detail');
      set({ selectedId: id, detail: null, verdict: null, detailError: null });
      try {
        const detail = await call('devices.get', { id });
        if (!isCurrent()) return;
        set({ detail });
        // The verdict the trusted-endpoints policy would give this device's user on it (nothing to ask without both).
        if (detail.uid && !isMaskedValue(detail.uid) && detail.clientDeviceIdentifier) {
          const verdict = await call('trust.verify', { user: detail.uid, identifier: detail.clientDeviceIdentifier });
          if (isCurrent()) set({ verdict });
        }
      } catch (error) {
        if (isCurrent()) set({ detailError: error });
      }
    },
    close() {
      answers.begin('detail');
      set({ selectedId: null, detail: null, verdict: null, detailError: null });
    },
  };
});

/** The row at an index, if its page is loaded. */
export function rowAt(pages: Record<number, ListedDevice[]>, index: number): ListedDevice | undefined {
  return pages[Math.floor(index / PAGE_SIZE)]?.[index % PAGE_SIZE];
}

/** Whether any filter (not text, not order) is set: the "Clear filters" button shows only then. */
export function hasFilters(query: DeviceQuery): boolean {
  return Object.keys(query).some((k) => k !== 'text' && k !== 'sort');
}
