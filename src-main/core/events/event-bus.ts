import type { EventName, EventSink, PayloadOf } from '../../../src-shared/contract';

type Listener = (name: EventName, payload: unknown) => void;

/** Services publish push events here; each transport subscribes and forwards them its own way. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  readonly emit: EventSink = <E extends EventName>(name: E, payload: PayloadOf<E>) => {
    for (const listener of this.listeners) listener(name, payload);
  };

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
