// A per-key FIFO worked by one holder at a time, across processes: items are appended to a
// list and whoever holds the key's lock handles them in order. Used for inbound events (one
// step at a time per patient) and outbound batches (messages leave in the order decided).
// Claiming, finishing an item with what it decided, and releasing are single atomic store
// operations, so an item pushed while the holder is finishing is either seen by the holder or
// finds the lock free, and a holder whose lock expired writes nothing.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { JobQueue } from '../jobs/job-queue.ts';
import { definePeriodicJob } from '../jobs/periodic.ts';
import type {
  KeyValueStore,
  MailboxClaim,
  MailboxCommit,
  MailboxHead,
  MailboxKeys,
  MailboxPushResult,
} from '../storage/kv/key-value-store.ts';

export interface MailboxOptions {
  /** Name that prefixes the mailbox's keys ("inbox", "outbox"). */
  name: string;
  /** A crashed holder's lock frees itself after this long. */
  lockTtlMs: number;
  /** Undelivered items are dropped after this long. */
  itemTtlMs: number;
}

const SWEEP_EVERY_MS = 15_000;
/** Items waiting this long with no holder were left by an instance that stopped. */
const ABANDONED_AFTER_MS = 30_000;

/** What handling one item decided: writes made with its removal, and what to do after. */
export interface ItemOutcome {
  commit?: MailboxCommit;
  /** Runs once the commit is stored, with the forwarded mailbox's head when one was claimed. */
  committed?: (forwarded: MailboxHead | undefined) => void;
}

/** What the claim read with the first item (see MailboxClaim); later items come without. */
export interface Claimed {
  value?: string;
}

/** Handles one item; `token` is the holder's, for marking progress (see `mark`). */
export type ItemHandler = (
  item: string,
  claimed: Claimed | undefined,
  token: string,
) => Promise<ItemOutcome | void>;

/** FIFO of string items per key, drained by a single holder at a time. */
export class SerialMailbox {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly options: MailboxOptions,
  ) {}

  /** The store keys of `key`'s mailbox. */
  keys(key: string): MailboxKeys {
    return { list: `${this.options.name}:${key}`, lock: `${this.options.name}-lock:${key}` };
  }

  /** A fresh holder token. */
  static token(): string {
    return randomUUID();
  }

  /**
   * Appends `item` for `key`; durable once this resolves. With `onceId`, an item already pushed
   * under the same id (within the item TTL) is not pushed again. With `claim`, the lock is taken
   * in the same step when free (`read` is read with the head), making the caller the holder.
   */
  async push(
    key: string,
    item: string,
    options: { onceId?: string; onceTtlMs?: number; claim?: Omit<MailboxClaim, 'ttlMs'> } = {},
  ): Promise<MailboxPushResult> {
    const { onceId, claim } = options;
    return this.kv.mailboxPush(this.keys(key), item, {
      ttlMs: this.options.itemTtlMs,
      onceKey: onceId === undefined ? undefined : `${this.options.name}-seen:${key}:${onceId}`,
      onceTtlMs: Math.min(options.onceTtlMs ?? this.options.itemTtlMs, this.options.itemTtlMs),
      claim: claim && { ...claim, ttlMs: this.options.lockTtlMs },
    });
  }

  /** How another mailbox's holder forwards `item` here and claims it in its own commit. */
  forward(key: string, item: string, token: string, read?: string): NonNullable<MailboxCommit['forward']> {
    return {
      box: this.keys(key),
      item,
      itemTtlMs: this.options.itemTtlMs,
      claim: { token, ttlMs: this.options.lockTtlMs, read },
    };
  }

  /**
   * For the holder of `token`: stores how far the current item got under `markKey` and renews
   * the lock, atomically; false when the lock was lost (another holder may be at work: stop).
   */
  async mark(key: string, token: string, markKey: string, value: string): Promise<boolean> {
    return this.kv.mailboxMark(this.keys(key), token, this.options.lockTtlMs, {
      key: markKey,
      value,
      ttlMs: this.options.itemTtlMs,
    });
  }

  /** Claims `key` and works through its items (see `work`); 'busy' when another holder has it. */
  async drain(
    key: string,
    handle: ItemHandler,
    reads: Omit<MailboxClaim, 'ttlMs' | 'token'> = {},
  ): Promise<'done' | 'busy'> {
    const token = SerialMailbox.token();
    const head = await this.kv.mailboxClaim(this.keys(key), {
      ...reads,
      token,
      ttlMs: this.options.lockTtlMs,
    });
    return this.work(key, token, head, handle);
  }

  /**
   * For the holder of `token`, whose claim returned `head`: handles every item in order. An
   * item leaves the list only with its outcome's commit, so a crash repeats it: handlers must
   * be idempotent. A throwing handler releases the lock and the item stays first in line.
   * Resolves 'busy' when another holder had (or took over) the lock, so the caller can schedule
   * a later look in case that holder died.
   */
  async work(key: string, token: string, head: MailboxHead, handle: ItemHandler): Promise<'done' | 'busy'> {
    const box = this.keys(key);
    let current = head;
    let claimed: Claimed | undefined = head.status === 'item' ? { value: head.value } : undefined;
    while (current.status === 'item') {
      let outcome: ItemOutcome | void;
      try {
        outcome = await handle(current.item, claimed, token);
        claimed = undefined;
      } catch (error) {
        await this.kv.compareAndDelete(box.lock, token);
        throw error;
      }
      const next = await this.kv.mailboxNext(
        box,
        token,
        this.options.lockTtlMs,
        current.item,
        outcome?.commit,
      );
      if (next.head.status !== 'lost') outcome?.committed?.(next.forwarded);
      current = next.head;
    }
    return current.status === 'empty' ? 'done' : 'busy';
  }

  /**
   * Defines the recovery sweep of this kind of mailbox: every 15 s one instance (a job per
   * window) calls `drain` for each mailbox whose items have waited 30 s with no holder.
   */
  defineRecovery(
    jobs: JobQueue,
    logger: Logger,
    drain: (key: string) => Promise<void>,
  ): { start(): Promise<void> } {
    const { name } = this.options;
    return definePeriodicJob(
      jobs,
      `${name}-sweep`,
      SWEEP_EVERY_MS,
      () =>
        this.recover(ABANDONED_AFTER_MS, (key) =>
          drain(key).catch((error: unknown) =>
            logger.warn(
              { err: error, mailbox: name },
              'recovery sweep failed on a mailbox; the next sweep retries',
            ),
          ),
        ),
      logger,
    );
  }

  /**
   * Calls `drain` for every mailbox of this kind whose items have waited at least `afterMs`
   * since their last push: left by a holder that died, or by a delivery that keeps failing.
   * A mailbox still held is skipped by the drain's claim. `drain` must not throw.
   */
  async recover(afterMs: number, drain: (key: string) => Promise<void>): Promise<void> {
    const prefix = `${this.options.name}:`;
    for await (const lists of this.kv.scanKeys(prefix)) {
      for (const list of lists) {
        const left = await this.kv.ttl(list);
        if (left !== undefined && this.options.itemTtlMs - left >= afterMs)
          await drain(list.slice(prefix.length));
      }
    }
  }

  /** How long a dead holder can keep the lock. */
  get lockTtlMs(): number {
    return this.options.lockTtlMs;
  }
}
