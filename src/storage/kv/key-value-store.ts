// The key-value port: hot conversation state, locks, dedupe markers, counters and mailboxes.
// Redis in production, memory when no REDIS_URL; both pass test/contract/key-value-store.

/** Options for a write; `ttlMs` undefined keeps the key until deleted. */
export interface WriteOptions {
  ttlMs?: number;
}

/** The keys of one mailbox: its list of items and its holder's lock (one hash tag). */
export interface MailboxKeys {
  list: string;
  lock: string;
}

/** What a mailbox holder sees at the head of its list. */
export type MailboxHead =
  /** On a claim: `value` of the key it asked to read (conversation state), read in the same step. */
  | { status: 'item'; item: string; value?: string }
  /** Nothing left; the lock was released in the same step. */
  | { status: 'empty' }
  /** Another holder has the lock. */
  | { status: 'busy' }
  /** Our lock expired and may be someone else's now: stop, and write nothing. */
  | { status: 'lost' };

/** Taking a mailbox's lock: by `token`, for `ttlMs`, reading keys of its hash tag with the head. */
export interface MailboxClaim {
  token: string;
  ttlMs: number;
  /** A string key to read. */
  read?: string;
}

export interface MailboxPushOptions {
  /** The list expires this long after its last push. */
  ttlMs: number;
  /** A redelivered item: when this key is already set, nothing is pushed. */
  onceKey?: string;
  onceTtlMs?: number;
  /** Also take the lock when it is free, and return the head (the caller becomes the holder). */
  claim?: MailboxClaim;
}

export type MailboxPushResult =
  | { queued: false }
  /** `head` only when a claim was asked for: 'item' when taken, 'busy' when another holds it. */
  | { queued: true; head?: MailboxHead };

/**
 * What a holder writes in the same atomic step as finishing an item, and only while it still
 * holds the lock: the conversation's next state, and an item for another mailbox (the step's
 * messages for the outbox), whose lock it also takes when free.
 */
export interface MailboxCommit {
  set?: { key: string; value: string; ttlMs: number };
  forward?: { box: MailboxKeys; item: string; itemTtlMs: number; claim: MailboxClaim };
}

export interface MailboxNextResult {
  head: MailboxHead;
  /** With a forward: the forwarded mailbox's head when its lock was taken, else 'busy'. */
  forwarded?: MailboxHead;
}

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
  /**
   * Counts one use in every counter unless one is already at its `max`, all in one atomic step
   * (fixed-window rate limits: a refused call uses nothing). 0 when counted, else the 1-based
   * index of the first full counter. A new counter lives `ttlMs`. Keys share one hash tag.
   */
  takeSlots(counters: { key: string; max: number; ttlMs: number }[]): Promise<number>;
  /** Remaining time to live in ms (values and lists); undefined when absent or never expiring. */
  ttl(key: string): Promise<number | undefined>;
  /** Sets a new time to live on a value or list; false when the key is absent. */
  expire(key: string, ttlMs: number): Promise<boolean>;
  /** Appends to the list at `key`; returns the new length (mailboxes, message logs). */
  listPush(key: string, value: string, options?: WriteOptions): Promise<number>;
  /** Items from index `start` to `end` inclusive (negative counts from the end). */
  listRange(key: string, start: number, end: number): Promise<string[]>;
  /** Appends `item` to a mailbox (once per `onceKey`), and claims it when asked and free. */
  mailboxPush(box: MailboxKeys, item: string, options: MailboxPushOptions): Promise<MailboxPushResult>;
  /** Takes the mailbox lock and returns the first item; releases it at once if empty. */
  mailboxClaim(box: MailboxKeys, claim: MailboxClaim): Promise<MailboxHead>;
  /**
   * For the holder of `token`: removes `done` if it is still first, applies `commit`, renews the
   * lock and returns the next item; releases the lock when nothing is left. A holder that lost
   * its lock gets 'lost' and nothing is written.
   */
  mailboxNext(
    box: MailboxKeys,
    token: string,
    ttlMs: number,
    done: string,
    commit?: MailboxCommit,
  ): Promise<MailboxNextResult>;
  /**
   * For the holder of `token`: records how far its item got (`mark`, a key of the same hash tag)
   * and renews the lock, in one atomic step. False, and nothing written, when the lock was lost.
   * An outbox holder marks each message the platform accepted, so a holder that takes over after
   * a crash resumes after it, and a slow delivery keeps its lock while it makes progress.
   */
  mailboxMark(
    box: MailboxKeys,
    token: string,
    ttlMs: number,
    mark: { key: string; value: string; ttlMs: number },
  ): Promise<boolean>;
  /** Every key that starts with `prefix`, a page at a time (recovery sweeps, not hot paths). */
  scanKeys(prefix: string): AsyncIterable<string[]>;
  /** Sends `message` to every current subscriber of `channel`, on any instance. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `listener` for each message published on `channel` until the returned stop. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  /** Resolves when the backend answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
