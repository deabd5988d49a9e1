// In-process twin of the Redis store for a single instance with no Redis.
import { systemClock, type Clock } from '../../clock.ts';
import type { KeyValueStore, WriteOptions } from './key-value-store.ts';

interface Entry {
  value: string;
  expiresAt: number | undefined;
}

/** KeyValueStore held in this process's memory; expiry follows the given clock. */
export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory' as const;
  private readonly values = new Map<string, Entry>();
  private readonly sorted = new Map<string, Map<string, number>>();

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
    const existed = this.live(key) !== undefined;
    this.values.delete(key);
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

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.values.clear();
    this.sorted.clear();
  }

  private live(key: string): Entry | undefined {
    const entry = this.values.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.clock.now()) {
      this.values.delete(key);
      return undefined;
    }
    return entry;
  }

  private expiry(options: WriteOptions): number | undefined {
    return options.ttlMs === undefined ? undefined : this.clock.now() + options.ttlMs;
  }
}
