// A per-key FIFO worked by one holder at a time, across processes: items are appended to a
// list and whoever holds the key's lock handles them in order. Used for inbound events (one
// step at a time per patient) and outbound batches (messages leave in the order decided).
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

  /** Appends `item` for `key`; durable once this resolves. */
  async push(key: string, item: string): Promise<void> {
    await this.kv.listPush(this.listKey(key), item, { ttlMs: this.options.itemTtlMs });
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
    for (;;) {
      const token = randomUUID();
      if (!(await this.kv.setIfAbsent(lock, token, { ttlMs: this.options.lockTtlMs }))) return 'busy';
      try {
        for (;;) {
          const [item] = await this.kv.listRange(list, 0, 0);
          if (item === undefined) break;
          await handle(item);
          await this.kv.listRemoveFirst(list, item);
        }
      } finally {
        await this.kv.compareAndDelete(lock, token);
      }
      // An item pushed after our last look whose pusher found the lock still held would
      // otherwise wait for the next push: look once more now that the lock is free.
      const [waiting] = await this.kv.listRange(list, 0, 0);
      if (waiting === undefined) return 'done';
    }
  }

  /** How long a dead holder can keep the lock. */
  get lockTtlMs(): number {
    return this.options.lockTtlMs;
  }

  private listKey(key: string): string {
    return `${this.options.name}:${key}`;
  }
}
