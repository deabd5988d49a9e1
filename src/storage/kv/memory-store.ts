// In-process twin of the Redis store for a single instance with no Redis. With `persistTo`
// its contents are snapshotted to a file (encrypted, written atomically) every second and at
// close, and loaded at start, so a restart keeps conversations; kill -9 loses the last second.
import { EventEmitter } from 'node:events';
import { readFile, rename, writeFile } from 'node:fs/promises';
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

/** How often changed contents are written to the snapshot file. */
export const SNAPSHOT_INTERVAL_MS = 1_000;

interface Snapshot {
  version: 1;
  values: [string, string, number | null][];
  lists: [string, string[], number | null][];
}

interface Sealer {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

/** KeyValueStore held in this process's memory; expiry follows the given clock. */
export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory' as const;
  private readonly values = new Map<string, Entry>();
  private readonly lists = new Map<string, { items: string[]; expiresAt: number | undefined }>();
  private readonly bus = new EventEmitter().setMaxListeners(0);
  /** Bumped on every write; the snapshot is rewritten only when it moved. */
  private changes = 0;
  private persisted = 0;
  private snapshot:
    { file: string; sealer: Sealer; timer: NodeJS.Timeout; writing?: Promise<void> } | undefined;

  constructor(private readonly clock: Clock = systemClock) {}

  /**
   * Loads `file` if it exists (health data inside, so sealed with `sealer`), then keeps it up to
   * date. A file that cannot be read is an error: starting empty would silently drop states.
   */
  async persistTo(file: string, sealer: Sealer, onError: (error: unknown) => void = () => {}): Promise<void> {
    let sealed: string | undefined;
    try {
      sealed = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (sealed) {
      let opened: string;
      try {
        opened = sealer.decrypt(sealed);
      } catch {
        throw new Error(
          `the key-value snapshot ${file} was written with another key: add that key to FIELD_DECRYPTION_KEYS, or delete the file to start without the conversations in progress`,
        );
      }
      this.restore(JSON.parse(opened) as Snapshot);
    }
    const timer = setInterval(() => void this.flush().catch(onError), SNAPSHOT_INTERVAL_MS).unref();
    this.snapshot = { file, sealer, timer };
  }

  /** Writes the snapshot now if anything changed since the last one. */
  async flush(): Promise<void> {
    const snapshot = this.snapshot;
    if (!snapshot) return;
    while (snapshot.writing) await snapshot.writing;
    if (this.changes === this.persisted) return;
    const changes = this.changes;
    const body = snapshot.sealer.encrypt(JSON.stringify(this.dump()));
    // Write-then-rename: a crash mid-write leaves the previous snapshot whole.
    const temporary = `${snapshot.file}.tmp`;
    snapshot.writing = writeFile(temporary, body, { mode: 0o600 })
      .then(() => rename(temporary, snapshot.file))
      .then(() => {
        this.persisted = changes;
      })
      .finally(() => {
        snapshot.writing = undefined;
      });
    await snapshot.writing;
  }

  private dump(): Snapshot {
    const values: Snapshot['values'] = [];
    for (const key of this.values.keys()) {
      const entry = this.live(key);
      if (entry) values.push([key, entry.value, entry.expiresAt ?? null]);
    }
    const lists: Snapshot['lists'] = [];
    for (const key of this.lists.keys()) {
      const list = this.liveList(key);
      if (list) lists.push([key, list.items, list.expiresAt ?? null]);
    }
    return { version: 1, values, lists };
  }

  private restore(snapshot: Snapshot): void {
    for (const [key, value, expiresAt] of snapshot.values)
      this.values.set(key, { value, expiresAt: expiresAt ?? undefined });
    for (const [key, items, expiresAt] of snapshot.lists)
      this.lists.set(key, { items, expiresAt: expiresAt ?? undefined });
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async set(key: string, value: string, options: WriteOptions = {}): Promise<void> {
    this.changes += 1;
    this.values.set(key, { value, expiresAt: this.expiry(options) });
  }

  async setIfAbsent(key: string, value: string, options: WriteOptions = {}): Promise<boolean> {
    if (this.live(key)) return false;
    await this.set(key, value, options);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.live(key) !== undefined || this.liveList(key) !== undefined;
    this.changes += 1;
    this.values.delete(key);
    this.lists.delete(key);
    return existed;
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    if (this.live(key)?.value !== expected) return false;
    this.changes += 1;
    this.values.delete(key);
    return true;
  }

  async increment(key: string, by = 1, options: WriteOptions = {}): Promise<number> {
    const entry = this.live(key);
    const next = Number(entry?.value ?? 0) + by;
    this.changes += 1;
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

  async expire(key: string, ttlMs: number): Promise<boolean> {
    const entry = this.live(key) ?? this.liveList(key);
    if (!entry) return false;
    this.changes += 1;
    entry.expiresAt = this.expiry({ ttlMs });
    return true;
  }

  async listPush(key: string, value: string, options: WriteOptions = {}): Promise<number> {
    const list = this.liveList(key) ?? { items: [], expiresAt: undefined };
    list.items.push(value);
    this.changes += 1;
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
    this.changes += 1;
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
    this.changes += 1;
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
    if (this.snapshot) {
      clearInterval(this.snapshot.timer);
      // Graceful shutdown: the last changes reach the file before the store empties.
      await this.flush();
      this.snapshot = undefined;
    }
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
