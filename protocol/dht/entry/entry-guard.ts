/**
 * The newcomer's side of the defence as a DhtPolicy: entries found flawed, and the contacts only they vouched
 * for, are refused admission to the routing table and never queried by lookups (DhtNode.query consults
 * `admitContact` too), so a flawed entry is avoided for good, not only skipped at bootstrap.
 */
import { keyToHex, type DhtKey } from '../keys.ts';
import { openPolicy, type Contact, type ContactSource, type DhtPolicy } from '../types.ts';

export class EntryGuard implements DhtPolicy {
  private readonly flawed = new Map<string, DhtKey>();
  private readonly barred = new Set<string>();

  constructor(private readonly inner: DhtPolicy = openPolicy) {}

  admitContact(contact: Contact, source: ContactSource): boolean {
    const id = keyToHex(contact.key);
    return !this.flawed.has(id) && !this.barred.has(id) && this.inner.admitContact(contact, source);
  }

  selectBootstrap(entries: readonly Contact[]): Contact[] {
    return this.inner.selectBootstrap(entries.filter((e) => this.admitContact(e, 'bootstrap')));
  }

  /** Marks an entry flawed: it is avoided from now on. */
  flag(key: DhtKey): void {
    this.flawed.set(keyToHex(key), key);
  }

  /** Refuses a contact that only a flawed entry vouched for. */
  bar(key: DhtKey): void {
    this.barred.add(keyToHex(key));
  }

  isFlawed(key: DhtKey): boolean {
    return this.flawed.has(keyToHex(key));
  }

  isBarred(key: DhtKey): boolean {
    return this.barred.has(keyToHex(key));
  }

  flawedKeys(): DhtKey[] {
    return [...this.flawed.values()];
  }

  get barredCount(): number {
    return this.barred.size;
  }
}
