import { afterEach } from 'vitest';

/** Returns `track(thing)`: everything tracked (simulators, servers, clients) is closed after each test. */
export function closeAfterEach(): <T extends { close(): unknown }>(thing: T) => T {
  const open: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    for (const thing of open.splice(0).reverse()) await thing.close();
  });
  return (thing) => {
    open.push(thing);
    return thing;
  };
}
