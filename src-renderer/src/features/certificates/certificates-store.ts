import { create } from 'zustand';
import type { CertificatePage, ExpiryWarning } from '../../../../src-shared/contract/certificates';
import type { CertificateRecord, CertificateStatus } from '../../../../src-shared/domain/ca-profile';
import type { Integration } from '../../../../src-shared/domain/integration';
import { call } from '../../shared/api';

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
  async load() {
    set({ loading: true, error: null });
    try {
      const [integrations, expiry, page] = await Promise.all([
        call('integrations.list'),
        call('certificates.expiryWarnings'),
        call('certificates.list', pageInput(get().filter)),
      ]);
      set({
        legacyIntegrations: integrations.filter((i) => i.platform === 'ios-certs'),
        warnings: expiry.warnings,
        warningDays: expiry.warningDays,
        certificates: page.certificates,
        counts: page.counts,
        nextBeforeId: page.nextBeforeId,
      });
    } catch (error) {
      set({ error });
    } finally {
      set({ loading: false });
    }
  },
  async setFilter(patch) {
    const filter = { ...get().filter, ...patch };
    set({ filter, loading: true, error: null });
    try {
      const page = await call('certificates.list', pageInput(filter));
      // A slower answer for an older filter must not overwrite the newer one.
      if (get().filter !== filter) return;
      set({ certificates: page.certificates, counts: page.counts, nextBeforeId: page.nextBeforeId });
    } catch (error) {
      set({ error });
    } finally {
      set({ loading: false });
    }
  },
  async loadMore() {
    const { filter, nextBeforeId, certificates } = get();
    if (nextBeforeId === null) return;
    set({ loading: true, error: null });
    try {
      const page = await call('certificates.list', pageInput(filter, nextBeforeId));
      if (get().filter !== filter) return;
      set({ certificates: [...certificates, ...page.certificates], counts: page.counts, nextBeforeId: page.nextBeforeId });
    } catch (error) {
      set({ error });
    } finally {
      set({ loading: false });
    }
  },
}));
