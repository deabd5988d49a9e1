// The key-value port: hot conversation state, locks, dedupe markers, counters and ordered
// sets. Redis in production, memory when no REDIS_URL; both pass test/contract/key-value-store.

/** Options for a write; `ttlMs` undefined keeps the key until deleted. */
export interface WriteOptions {
  ttlMs?: number;
}

/** What a mailbox holder sees at the head of its list. */
export type MailboxHead =
  | { status: 'item'; item: string }
  /** Nothing left; the lock was released in the same step. */
  | { status: 'empty' }
  /** Another holder has the lock. */
  | { status: 'busy' }
  /** Our lock expired and may be someone else's now: stop. */
  | { status: 'lost' };

/** A store of string values with expiry and the atomic operations the engine needs. */
export interface KeyValueStore {
  /** Which implementation this is, for logs and test output. */
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: WriteOptions): Promise<void>;
  /** Writes only when the key is absent; true when this call wrote it (locks, dedupe). */
  setIfAbsent(key: string, value: string, options?: WriteOptions): Promise<boolean>;
  /** Deletes the key; true when it existed. */
  delete(key: string): Promise<boolean>;
  /** Deletes the key only while it still holds `expected` (safe lock release). */
  compareAndDelete(key: string, expected: string): Promise<boolean>;
  /** Adds `by` and returns the new value; a new counter gets `ttlMs` (fixed windows). */
  increment(key: string, by?: number, options?: WriteOptions): Promise<number>;
  /** Remaining time to live in ms; undefined when the key is absent or never expires. */
  ttl(key: string): Promise<number | undefined>;
  /** Adds or moves `member` to `score` in the ordered set at `key`. */
  sortedAdd(key: string, score: number, member: string): Promise<void>;
  /** Members with min ≤ score ≤ max, lowest score first. */
  sortedRange(key: string, min: number, max: number): Promise<{ member: string; score: number }[]>;
  /** Removes `member`; true when it was there. */
  sortedRemove(key: string, member: string): Promise<boolean>;
  /** Appends to the list at `key`; returns the new length (mailboxes, message logs). */
  listPush(key: string, value: string, options?: WriteOptions): Promise<number>;
  /** Items from index `start` to `end` inclusive (negative counts from the end). */
  listRange(key: string, start: number, end: number): Promise<string[]>;
  /**
   * Appends `item` to the mailbox list, unless `onceKey` is given and already set (a redelivered
   * event). Atomic: true when queued.
   */
  mailboxPush(
    list: string,
    item: string,
    options: { ttlMs: number; onceKey?: string; onceTtlMs?: number },
  ): Promise<boolean>;
  /** Takes the mailbox lock with `token` and returns the first item; releases it at once if empty. */
  mailboxClaim(lock: string, list: string, token: string, ttlMs: number): Promise<MailboxHead>;
  /**
   * For the holder of `token`: removes `done` if it is still first, renews the lock and returns
   * the next item; releases the lock when nothing is left.
   */
  mailboxNext(lock: string, list: string, token: string, ttlMs: number, done: string): Promise<MailboxHead>;
  /** Sends `message` to every current subscriber of `channel`, on any instance. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `listener` for each message published on `channel` until the returned stop. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  /** Resolves when the backend answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
