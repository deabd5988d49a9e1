// In-process twin of the Redis store for a single instance with no Redis.
import { EventEmitter } from 'node:events';
import { systemClock, type Clock } from '../../clock.ts';
import type { KeyValueStore, MailboxHead, WriteOptions } from './key-value-store.ts';

interface Entry {
  value: string;
  expiresAt: number | undefined;
}

/** KeyValueStore held in this process's memory; expiry follows the given clock. */
export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory' as const;
  private readonly values = new Map<string, Entry>();
  private readonly sorted = new Map<string, Map<string, number>>();
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

  async ttl(key: string): Promise<number | undefined> {
    const expiresAt = this.live(key)?.expiresAt;
    return expiresAt === undefined ? undefined : expiresAt - this.clock.now();
  }

  async sortedAdd(key: string, score: number, member: string): Promise<void> {
    const set = this.sorted.get(key) ?? new Map<string, number>();
    set.set(member, score);
    this.sorted.set(key, set);
  }

  async sortedRange(key: string, min: number, max: number): Promise<{ member: string; score: number }[]> {
    return [...(this.sorted.get(key) ?? new Map<string, number>())]
      .filter(([, score]) => score >= min && score <= max)
      .sort(([a, sa], [b, sb]) => sa - sb || (a < b ? -1 : a > b ? 1 : 0))
      .map(([member, score]) => ({ member, score }));
  }

  async sortedRemove(key: string, member: string): Promise<boolean> {
    return this.sorted.get(key)?.delete(member) ?? false;
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

  async mailboxPush(
    list: string,
    item: string,
    options: { ttlMs: number; onceKey?: string; onceTtlMs?: number },
  ): Promise<boolean> {
    if (options.onceKey && !(await this.setIfAbsent(options.onceKey, '1', { ttlMs: options.onceTtlMs })))
      return false;
    await this.listPush(list, item, { ttlMs: options.ttlMs });
    return true;
  }

  async mailboxClaim(lock: string, list: string, token: string, ttlMs: number): Promise<MailboxHead> {
    if (!(await this.setIfAbsent(lock, token, { ttlMs }))) return { status: 'busy' };
    return this.headOrRelease(lock, list);
  }

  async mailboxNext(
    lock: string,
    list: string,
    token: string,
    ttlMs: number,
    done: string,
  ): Promise<MailboxHead> {
    if (this.live(lock)?.value !== token) return { status: 'lost' };
    this.removeFirst(list, done);
    await this.set(lock, token, { ttlMs });
    return this.headOrRelease(lock, list);
  }

  private headOrRelease(lock: string, list: string): MailboxHead {
    const head = this.liveList(list)?.items[0];
    if (head !== undefined) return { status: 'item', item: head };
    this.values.delete(lock);
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
    this.sorted.clear();
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
