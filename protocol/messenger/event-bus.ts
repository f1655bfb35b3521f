/**
 * Multi-subscriber, typed events: one bus per event union, events told apart by `kind` (a discriminated union,
 * the pattern of js-libp2p's kad-dht events). Layers publish facts ("contact learned", "handshake timed out")
 * and others subscribe, so no layer decodes another's bodies or replaces another's callback.
 */
import type { Unsubscribe } from './messenger.ts';

type Listener<E> = (event: E) => void;

export class EventBus<E extends { readonly kind: string }> {
  private readonly listeners = new Map<string, Listener<never>[]>();

  on<K extends E['kind']>(kind: K, listener: Listener<Extract<E, { kind: K }>>): Unsubscribe {
    const list = this.listeners.get(kind) ?? [];
    list.push(listener as Listener<never>);
    this.listeners.set(kind, list);
    return () => {
      const current = this.listeners.get(kind);
      if (!current) return;
      const i = current.indexOf(listener as Listener<never>);
      if (i >= 0) current.splice(i, 1);
    };
  }

  emit(event: E): void {
    const list = this.listeners.get(event.kind);
    if (!list || list.length === 0) return;
    // A copy: a listener may unsubscribe (itself or another) while the event is being delivered.
    for (const listener of [...list]) (listener as Listener<E>)(event);
  }

  /** Listeners registered for `kind` (tests, leak checks). */
  count(kind: E['kind']): number {
    return this.listeners.get(kind)?.length ?? 0;
  }
}

/** Keeps one handler list per payload type; the multi-subscriber core of every Messenger implementation. */
export class HandlerTable<H extends (...args: never[]) => void> {
  private readonly byType = new Map<number, H[]>();

  add(type: number, handler: H): Unsubscribe {
    const list = this.byType.get(type) ?? [];
    list.push(handler);
    this.byType.set(type, list);
    return () => {
      const current = this.byType.get(type);
      const i = current ? current.indexOf(handler) : -1;
      if (current && i >= 0) current.splice(i, 1);
    };
  }

  /** The handlers of `type` at this moment (a copy, safe against changes during delivery). */
  get(type: number): readonly H[] {
    const list = this.byType.get(type);
    return list ? [...list] : [];
  }

  has(type: number): boolean {
    return (this.byType.get(type)?.length ?? 0) > 0;
  }
}
