import { afterEach } from 'vitest';
import type { SearchIndexBuild } from '../../src-main/core/devices/device-search-index';
import type { WalCheckpointer } from '../../src-main/core/sync/wal-checkpointer';

interface ShutsDown {
  shutdown(): Promise<void>;
}

/**
 * Shuts down every sync engine handed to it after each test, before its connection is closed and its folder removed:
 * call it after useTempDir and useCloseAfterEach, since hooks run last-defined first. An engine's WAL checkpoint thread
 * may otherwise still write the -wal/-shm files as the folder goes (ENOTEMPTY, seen under load in unchanged-resync and
 * shared-tenant); shutdown settles once that thread has closed its connection. A thread a test starts without an engine
 * (a WalCheckpointer, a SearchIndexBuild) is handed to it as `checkpointerEnd(…)` or `buildEnd(…)`.
 */
export function useShutDownAfterEach(): <T extends ShutsDown>(engine: T) => T {
  const engines: ShutsDown[] = [];
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.shutdown();
  });
  return (engine) => {
    engines.push(engine);
    return engine;
  };
}

/** `make` (a fixture giving an engine with what it was made with), with every engine it makes shut down after each test as useShutDownAfterEach does. */
export function withShutDownAfterEach<A extends unknown[], R extends { engine: ShutsDown }>(make: (...args: A) => R): (...args: A) => R {
  const shutDownAfterEach = useShutDownAfterEach();
  return (...args) => {
    const made = make(...args);
    shutDownAfterEach(made.engine);
    return made;
  };
}

/**
 * A checkpointer a test acquires itself, shut down as a sync's end and SyncEngine.shutdown end it: released (a test that
 * failed before its own release) and its thread awaited. One acquired more than once is released by the test.
 */
export function checkpointerEnd(checkpointer: WalCheckpointer): ShutsDown {
  return {
    shutdown: async () => {
      checkpointer.release();
      await checkpointer.ended();
    },
  };
}

/** A search index build a test starts itself, stopped (a no-op once it has moved its index in) and its thread awaited. */
export function buildEnd(build: SearchIndexBuild): ShutsDown {
  return { shutdown: () => build.stop() };
}
