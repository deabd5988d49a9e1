// A per-key FIFO worked by one holder at a time, across processes: items are appended to a
// list and whoever holds the key's lock handles them in order. Used for inbound events (one
// step at a time per patient) and outbound batches (messages leave in the order decided).
// Claiming, moving on and releasing are single atomic store operations, so an item pushed
// while the holder is finishing is either seen by the holder or finds the lock free.
import { randomUUID } from 'node:crypto';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';

export interface MailboxOptions {
  /** Name that prefixes the mailbox's keys ("inbox", "outbox"). */
  name: string;
  /** A crashed holder's lock frees itself after this long. */
  lockTtlMs: number;
  /** Undelivered items are dropped after this long. */
  itemTtlMs: number;
}

/** FIFO of string items per key, drained by a single holder at a time. */
export class SerialMailbox {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly options: MailboxOptions,
  ) {}

  /**
   * Appends `item` for `key`; durable once this resolves. With `onceId`, an item already
   * pushed under the same id (within the item TTL) is not pushed again: false.
   */
  async push(key: string, item: string, onceId?: string): Promise<boolean> {
    return this.kv.mailboxPush(this.listKey(key), item, {
      ttlMs: this.options.itemTtlMs,
      onceKey: onceId === undefined ? undefined : `${this.options.name}-seen:${key}:${onceId}`,
      onceTtlMs: this.options.itemTtlMs,
    });
  }

  /**
   * Handles every item for `key` in order, unless another holder is already doing so (that
   * holder will see the new items). An item leaves the list only after `handle` resolved, so a
   * crash repeats it: handlers must be idempotent. A throwing handler stops the drain and the
   * item stays first in line. Resolves 'busy' when another holder had the lock, so the
   * caller can schedule a later look in case that holder died.
   */
  async drain(key: string, handle: (item: string) => Promise<void>): Promise<'done' | 'busy'> {
    const list = this.listKey(key);
    const lock = `${this.options.name}-lock:${key}`;
    const token = randomUUID();
    let head = await this.kv.mailboxClaim(lock, list, token, this.options.lockTtlMs);
    while (head.status === 'item') {
      try {
        await handle(head.item);
      } catch (error) {
        await this.kv.compareAndDelete(lock, token);
        throw error;
      }
      head = await this.kv.mailboxNext(lock, list, token, this.options.lockTtlMs, head.item);
    }
    return head.status === 'empty' ? 'done' : 'busy';
  }

  /** How long a dead holder can keep the lock. */
  get lockTtlMs(): number {
    return this.options.lockTtlMs;
  }

  private listKey(key: string): string {
    return `${this.options.name}:${key}`;
  }
}
