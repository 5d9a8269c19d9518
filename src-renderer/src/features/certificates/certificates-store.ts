import { create } from 'zustand';
import type { CertificatePage, ExpiryWarning } from '../../../../src-shared/contract/certificates';
import type { CertificateRecord, CertificateStatus } from '../../../../src-shared/domain/ca-profile';
import type { Integration } from '../../../../src-shared/domain/integration';
import { call } from '../../shared/api';
import { LatestAnswers } from '../../shared/latest-answer';

export interface CertificateFilter {
  integrationId: string | null;
  status: CertificateStatus | null;
}

interface CertificatesState {
  filter: CertificateFilter;
  certificates: CertificateRecord[];
  counts: CertificatePage['counts'] | null;
  nextBeforeId: number | null;
  warnings: ExpiryWarning[];
  warningDays: number | null;
  /** Live legacy certificate integrations: the filter's choices and the CA profiles shown. */
  legacyIntegrations: Integration[];
  loading: boolean;
  error: unknown;
  load(): Promise<void>;
  setFilter(patch: Partial<CertificateFilter>): Promise<void>;
  loadMore(): Promise<void>;
}

const PAGE_SIZE = 100;

function pageInput(filter: CertificateFilter, beforeId?: number) {
  return {
    limit: PAGE_SIZE,
    ...(filter.integrationId ? { integrationId: filter.integrationId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(beforeId === undefined ? {} : { beforeId }),
  };
}

/** The Certificates page: the inventory (a page at a time, newest first), its filter and the expiry warnings. */
const answers = new LatestAnswers();

export const useCertificates = create<CertificatesState>((set, get) => ({
  filter: { integrationId: null, status: null },
  certificates: [],
  counts: null,
  nextBeforeId: null,
  warnings: [],
  warningDays: null,
  legacyIntegrations: [],
  loading: false,
  error: null,
  // The first page, a new filter's page and the next page share one key: an answer for an older filter is dropped.
  load: () =>
    answers.load(
      'page',
      () => Promise.all([call('integrations.list'), call('certificates.expiryWarnings'), call('certificates.list', pageInput(get().filter))]),
      {
        start: () => set({ loading: true, error: null }),
        value: ([integrations, expiry, page]) =>
          set({
            legacyIntegrations: integrations.filter((i) => i.platform === 'ios-certs'),
            warnings: expiry.warnings,
            warningDays: expiry.warningDays,
            certificates: page.certificates,
            counts: page.counts,
            nextBeforeId: page.nextBeforeId,
          }),
        error: (error) => set({ error }),
        done: () => set({ loading: false }),
      },
    ),
  setFilter(patch) {
    const filter = { ...get().filter, ...patch };
    return answers.load('page', () => call('certificates.list', pageInput(filter)), {
      start: () => set({ filter, loading: true, error: null }),
      value: (page) => set({ certificates: page.certificates, counts: page.counts, nextBeforeId: page.nextBeforeId }),
      error: (error) => set({ error }),
      done: () => set({ loading: false }),
    });
  },
  async loadMore() {
    const { filter, nextBeforeId, certificates } = get();
    if (nextBeforeId === null) return;
    await answers.load('page', () => call('certificates.list', pageInput(filter, nextBeforeId)), {
      start: () => set({ loading: true, error: null }),
      value: (page) => set({ certificates: [...certificates, ...page.certificates], counts: page.counts, nextBeforeId: page.nextBeforeId }),
      error: (error) => set({ error }),
      done: () => set({ loading: false }),
    });
  },
}));
