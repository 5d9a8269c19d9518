import type { DeviceSpace } from '../ivanti/ivanti-wire';
import type { DeviceRecordPage, DeviceSearch, IvantiRetryEvent } from '../ivanti/ivanti-client';
import { IvantiClient } from '../ivanti/ivanti-client';
import type { IvantiCredentials } from '../integrations/integration-service';

/** What the sync engine needs from a tenant: its spaces and pages of devices. IvantiClient is one. */
export interface DevicePageSource {
  listSpaces(signal?: AbortSignal): Promise<DeviceSpace[]>;
  /** A page's records as received: the sync parses only those it writes (DeviceStore.writePage). */
  searchDeviceRecords(search: DeviceSearch, signal?: AbortSignal): Promise<DeviceRecordPage>;
  close(): void;
}

export interface PageSourceHooks {
  /** Told before the client waits to retry (throttling, a server error, a dropped connection). */
  onRetry(event: IvantiRetryEvent): void;
}

/** Builds the source for one run. Credentials go to the client and nowhere else. */
export type PageSourceFactory = (credentials: IvantiCredentials, hooks: PageSourceHooks) => DevicePageSource;

export const ivantiPageSource: PageSourceFactory = (credentials, hooks) =>
  new IvantiClient({ domain: credentials.domain, email: credentials.email, password: credentials.password, onRetry: hooks.onRetry });
