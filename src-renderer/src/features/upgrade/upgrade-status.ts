import { useSyncExternalStore } from 'react';
import type { UpgradeStatus } from '../../../../src-shared/contract/app';
import { subscribe } from '../../shared/api';

/**
 * The last status start-up sent the upgrade window (`app.upgrade`). Listening starts when this page's script runs,
 * before React renders: main sends the first status once the page has loaded, and none may be missed.
 */
let latest: UpgradeStatus | null = null;
const listeners = new Set<() => void>();

export function listenForUpgradeStatus(): void {
  subscribe('app.upgrade', (status) => {
    latest = status;
    for (const listener of listeners) listener();
  });
}

export function useUpgradeStatus(): UpgradeStatus | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => latest,
  );
}
