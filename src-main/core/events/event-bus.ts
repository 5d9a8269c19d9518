import type { EventName, EventSink, PayloadOf } from '../../../src-shared/contract';

type Listener = (name: EventName, payload: unknown) => void;

/** Services publish push events here; each transport subscribes and forwards them its own way. */
export class EventBus {
  private readonly listeners = new Set<Listener>();
  private closed = false;

  readonly emit: EventSink = <E extends EventName>(name: E, payload: PayloadOf<E>) => {
    if (this.closed) return;
    for (const listener of this.listeners) listener(name, payload);
  };

  subscribe(listener: Listener): () => void {
    if (this.closed) return () => false;
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Before the database closes: listeners read it (expiry notices, the transports' forwarding), so an event still on
   * its way (a worker's message, an in-process run's last step) must reach none of them, whoever emits it.
   */
  close(): void {
    this.closed = true;
    this.listeners.clear();
  }
}
