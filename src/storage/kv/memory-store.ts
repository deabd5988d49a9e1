// In-process twin of the Redis store for a single instance with no Redis.
import { EventEmitter } from 'node:events';
import { systemClock, type Clock } from '../../clock.ts';
import type {
  KeyValueStore,
  MailboxClaim,
  MailboxCommit,
  MailboxHead,
  MailboxKeys,
  MailboxNextResult,
  MailboxPushOptions,
  MailboxPushResult,
  WriteOptions,
} from './key-value-store.ts';

interface Entry {
  value: string;
  expiresAt: number | undefined;
}

/** KeyValueStore held in this process's memory; expiry follows the given clock. */
export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory' as const;
  private readonly values = new Map<string, Entry>();
  private readonly lists = new Map<string, { items: string[]; expiresAt: number | undefined }>();
  private readonly bus = new EventEmitter().setMaxListeners(0);

  constructor(private readonly clock: Clock = systemClock) {}

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async set(key: string, value: string, options: WriteOptions = {}): Promise<void> {
    this.values.set(key, { value, expiresAt: this.expiry(options) });
  }

  async setIfAbsent(key: string, value: string, options: WriteOptions = {}): Promise<boolean> {
    if (this.live(key)) return false;
    await this.set(key, value, options);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.live(key) !== undefined || this.liveList(key) !== undefined;
    this.values.delete(key);
    this.lists.delete(key);
    return existed;
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    if (this.live(key)?.value !== expected) return false;
    this.values.delete(key);
    return true;
  }

  async increment(key: string, by = 1, options: WriteOptions = {}): Promise<number> {
    const entry = this.live(key);
    const next = Number(entry?.value ?? 0) + by;
    this.values.set(key, { value: String(next), expiresAt: entry?.expiresAt ?? this.expiry(options) });
    return next;
  }

  async takeSlots(counters: { key: string; max: number; ttlMs: number }[]): Promise<number> {
    const full = counters.findIndex((counter) => Number(this.live(counter.key)?.value ?? 0) >= counter.max);
    if (full >= 0) return full + 1;
    for (const counter of counters) await this.increment(counter.key, 1, { ttlMs: counter.ttlMs });
    return 0;
  }

  async ttl(key: string): Promise<number | undefined> {
    const expiresAt = (this.live(key) ?? this.liveList(key))?.expiresAt;
    return expiresAt === undefined ? undefined : expiresAt - this.clock.now();
  }

  async listPush(key: string, value: string, options: WriteOptions = {}): Promise<number> {
    const list = this.liveList(key) ?? { items: [], expiresAt: undefined };
    list.items.push(value);
    if (options.ttlMs !== undefined) list.expiresAt = this.expiry(options);
    this.lists.set(key, list);
    return list.items.length;
  }

  async listRange(key: string, start: number, end: number): Promise<string[]> {
    const items = this.liveList(key)?.items ?? [];
    const from = start < 0 ? Math.max(0, items.length + start) : start;
    const to = end < 0 ? items.length + end : Math.min(end, items.length - 1);
    return items.slice(from, to + 1);
  }

  /** Removes the first item if it is still `expected` (the mailbox's "done"). */
  private removeFirst(key: string, expected: string): void {
    const list = this.liveList(key);
    if (list?.items[0] !== expected) return;
    list.items.shift();
    if (list.items.length === 0) this.lists.delete(key);
  }

  async mailboxPush(box: MailboxKeys, item: string, options: MailboxPushOptions): Promise<MailboxPushResult> {
    if (options.onceKey && !(await this.setIfAbsent(options.onceKey, '1', { ttlMs: options.onceTtlMs })))
      return { queued: false };
    await this.listPush(box.list, item, { ttlMs: options.ttlMs });
    return options.claim
      ? { queued: true, head: await this.mailboxClaim(box, options.claim) }
      : { queued: true };
  }

  async mailboxClaim(box: MailboxKeys, claim: MailboxClaim): Promise<MailboxHead> {
    if (!(await this.setIfAbsent(box.lock, claim.token, { ttlMs: claim.ttlMs }))) return { status: 'busy' };
    const head = this.headOrRelease(box);
    if (head.status !== 'item') return head;
    const value = claim.read === undefined ? undefined : this.live(claim.read)?.value;
    if (value !== undefined) head.value = value;
    if (claim.count !== undefined) head.count = this.liveList(claim.count)?.items.length ?? 0;
    return head;
  }

  async mailboxNext(
    box: MailboxKeys,
    token: string,
    ttlMs: number,
    done: string,
    commit: MailboxCommit = {},
  ): Promise<MailboxNextResult> {
    if (this.live(box.lock)?.value !== token) return { head: { status: 'lost' } };
    const { set, forward } = commit;
    if (set) await this.set(set.key, set.value, { ttlMs: set.ttlMs });
    let forwarded: MailboxHead | undefined;
    if (forward) {
      await this.listPush(forward.box.list, forward.item, { ttlMs: forward.itemTtlMs });
      forwarded = await this.mailboxClaim(forward.box, forward.claim);
    }
    this.removeFirst(box.list, done);
    await this.set(box.lock, token, { ttlMs });
    const head = this.headOrRelease(box);
    return forwarded ? { head, forwarded } : { head };
  }

  async mailboxMark(
    box: MailboxKeys,
    token: string,
    ttlMs: number,
    mark: { key: string; value: string; ttlMs: number },
  ): Promise<boolean> {
    if (this.live(box.lock)?.value !== token) return false;
    await this.set(mark.key, mark.value, { ttlMs: mark.ttlMs });
    await this.set(box.lock, token, { ttlMs });
    return true;
  }

  async *scanKeys(prefix: string): AsyncIterable<string[]> {
    const keys = [...this.values.keys(), ...this.lists.keys()].filter(
      (key) => key.startsWith(prefix) && (this.live(key) ?? this.liveList(key)),
    );
    if (keys.length > 0) yield keys;
  }

  private headOrRelease(box: MailboxKeys): MailboxHead {
    const head = this.liveList(box.list)?.items[0];
    if (head !== undefined) return { status: 'item', item: head };
    this.values.delete(box.lock);
    return { status: 'empty' };
  }

  async publish(channel: string, message: string): Promise<void> {
    this.bus.emit(channel, message);
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>> {
    this.bus.on(channel, listener);
    return async () => {
      this.bus.off(channel, listener);
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.values.clear();
    this.lists.clear();
    this.bus.removeAllListeners();
  }

  private live(key: string): Entry | undefined {
    const entry = this.values.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.clock.now()) {
      this.values.delete(key);
      return undefined;
    }
    return entry;
  }

  private liveList(key: string): { items: string[]; expiresAt: number | undefined } | undefined {
    const list = this.lists.get(key);
    if (list?.expiresAt !== undefined && list.expiresAt <= this.clock.now()) {
      this.lists.delete(key);
      return undefined;
    }
    return list;
  }

  private expiry(options: WriteOptions): number | undefined {
    return options.ttlMs === undefined ? undefined : this.clock.now() + options.ttlMs;
  }
}
