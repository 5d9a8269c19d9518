/**
 * Stores ask main for data and the answers can come back out of order (a slow count for the last filter, a fast one
 * for this one). Every store loads through this: each load of a key takes a ticket, and its answer, its error and its
 * end are applied only while that ticket is still the newest for the key. A store keeps one `LatestAnswers` and uses
 * one key per thing it loads (an integration id, "page", …).
 */
export class LatestAnswers {
  private readonly newest = new Map<string, number>();
  private tickets = 0;

  /** Starts a load of `key`; the check answers true only while no later load of `key` has started. */
  begin(key = ''): () => boolean {
    const ticket = ++this.tickets;
    this.newest.set(key, ticket);
    return () => this.newest.get(key) === ticket;
  }

  /**
   * The one shape of a store's load: `start` at once, then `value` or `error`, then `done`; the last three only if no
   * later load of the same key started meanwhile. Never throws (a failure goes to `error`).
   */
  async load<T>(
    key: string,
    ask: () => Promise<T>,
    on: { start?(): void; value(value: T): void; error(error: unknown): void; done?(): void },
  ): Promise<void> {
    const current = this.begin(key);
    on.start?.();
    try {
      const value = await ask();
      if (current()) on.value(value);
    } catch (error) {
      if (current()) on.error(error);
    } finally {
      if (current()) on.done?.();
    }
  }
}
