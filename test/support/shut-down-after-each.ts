import { afterEach } from 'vitest';

interface ShutsDown {
  shutdown(): Promise<void>;
}

/**
 * Shuts down every sync engine handed to it after each test, before its connection is closed and its folder removed:
 * call it after useTempDir and useCloseAfterEach, since hooks run last-defined first. An engine's WAL checkpoint thread
 * may otherwise still write the -wal/-shm files as the folder goes (ENOTEMPTY, seen under load in unchanged-resync and
 * shared-tenant); shutdown settles once that thread has closed its connection.
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
