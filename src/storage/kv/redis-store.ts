// Redis implementation of the key-value port (ioredis). Keys are prefixed per deployment or
// test run; callers put the per-patient part in {braces} so Redis Cluster keeps related keys
// in one slot.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { withTimeout } from '../../with-timeout.ts';
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
import { SCRIPTS, type Reply, type ScriptedRedis } from './redis-scripts.ts';

const ms = (value: number) => String(Math.max(1, Math.ceil(value)));

/** A script's head reply; 'own' is the caller's `item`, which Redis need not send back. */
function toHead(reply: Reply, own?: string): MailboxHead {
  const [status, item, value] = reply;
  if (status !== 'item' && status !== 'own') return { status: status as 'empty' | 'busy' | 'lost' };
  const head: MailboxHead = { status: 'item', item: status === 'own' ? own! : String(item) };
  if (typeof value === 'string') head.value = value;
  return head;
}

/** The keys and arguments a claim adds to the push and claim scripts. */
function claimParts(box: MailboxKeys, claim: MailboxClaim | undefined): { keys: string[]; args: string[] } {
  return {
    keys: [box.lock, box.list, claim?.read ?? box.list],
    args: [claim?.token ?? '', claim ? ms(claim.ttlMs) : '0', claim?.read === undefined ? '0' : '1'],
  };
}

const PING_TIMEOUT_MS = 1_000;

/**
 * How long one command may take, queued while reconnecting included: a stopped or frozen Redis
 * turns into a 503 after this, never a hung request (README "Redis in production").
 */
export const REDIS_COMMAND_TIMEOUT_MS = 1_500;
/** The key whose absence means Redis lost its data (restarted empty) since we wrote it. */
export const DATA_MARKER_KEY = 'frontdoor:data-marker';
const MARKER_CHECK_MS = 15_000;

/** Opens a Redis connection suited to request-path commands: fail fast when Redis is down. */
export function connectRedis(url: string, keyPrefix = ''): Redis {
  return new Redis(url, {
    keyPrefix,
    lazyConnect: true,
    // A command waits for at most one reconnect attempt, and never past the command timeout.
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    // Concurrent commands from many conversations share round trips.
    enableAutoPipelining: true,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
}

/** KeyValueStore on Redis. */
export class RedisStore implements KeyValueStore {
  readonly kind = 'redis' as const;
  private subscriber: Redis | undefined;
  private readonly listeners = new Map<string, Set<(message: string) => void>>();

  private readonly redis: ScriptedRedis;
  private markerTimer: NodeJS.Timeout | undefined;

  constructor(
    connection: Redis,
    private readonly keyPrefix = '',
  ) {
    for (const [name, script] of Object.entries(SCRIPTS)) connection.defineCommand(name, script);
    this.redis = connection as ScriptedRedis;
  }

  /** Connects and returns a store whose keys all start with `keyPrefix`. */
  static async connect(url: string, keyPrefix: string, logger?: Logger): Promise<RedisStore> {
    const redis = connectRedis(url, keyPrefix);
    // ioredis reconnects by itself; log the outage once per disconnection, /readyz reports it.
    let reported = false;
    redis.on('error', (error: Error) => {
      if (!reported) logger?.warn({ err: error }, 'redis connection error; reconnecting');
      reported = true;
    });
    redis.on('ready', () => {
      reported = false;
    });
    await redis.connect();
    return new RedisStore(redis, keyPrefix);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(key)) ?? undefined;
  }

  async set(key: string, value: string, options: WriteOptions = {}): Promise<void> {
    if (options.ttlMs === undefined) await this.redis.set(key, value);
    else await this.redis.set(key, value, 'PX', Math.max(1, Math.ceil(options.ttlMs)));
  }

  async setIfAbsent(key: string, value: string, options: WriteOptions = {}): Promise<boolean> {
    const result =
      options.ttlMs === undefined
        ? await this.redis.set(key, value, 'NX')
        : await this.redis.set(key, value, 'PX', Math.max(1, Math.ceil(options.ttlMs)), 'NX');
    return result === 'OK';
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(key)) > 0;
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    return (await this.redis.compareAndDelete(key, expected)) === 1;
  }

  async increment(key: string, by = 1, options: WriteOptions = {}): Promise<number> {
    const ttl = options.ttlMs === undefined ? 0 : Math.max(1, Math.ceil(options.ttlMs));
    return Number(await this.redis.incrementWithWindow(key, by, ttl));
  }

  async takeSlots(counters: { key: string; max: number; ttlMs: number }[]): Promise<number> {
    return this.redis.takeSlots(
      counters.length,
      ...counters.map((counter) => counter.key),
      ...counters.flatMap((counter) => [String(counter.max), ms(counter.ttlMs)]),
    );
  }

  async ttl(key: string): Promise<number | undefined> {
    const ms = await this.redis.pttl(key);
    return ms < 0 ? undefined : ms;
  }

  async expire(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.pexpire(key, Math.max(1, Math.ceil(ttlMs)))) === 1;
  }

  async listPush(key: string, value: string, options: WriteOptions = {}): Promise<number> {
    if (options.ttlMs === undefined) return this.redis.rpush(key, value);
    const [[, length]] = (await this.redis
      .multi()
      .rpush(key, value)
      .pexpire(key, Math.max(1, Math.ceil(options.ttlMs)))
      .exec()) as [[null, number], [null, number]];
    return length;
  }

  async listRange(key: string, start: number, end: number): Promise<string[]> {
    return this.redis.lrange(key, start, end);
  }

  async mailboxPush(box: MailboxKeys, item: string, options: MailboxPushOptions): Promise<MailboxPushResult> {
    const { keys, args } = claimParts(box, options.claim);
    const reply = await this.redis.mailboxPush(
      ...keys,
      options.onceKey ?? box.list,
      ...args,
      item,
      ms(options.ttlMs),
      options.onceKey === undefined ? '' : ms(options.onceTtlMs ?? options.ttlMs),
    );
    if (reply[0] === 'duplicate') return { queued: false };
    return reply[0] === 'queued' ? { queued: true } : { queued: true, head: toHead(reply, item) };
  }

  async mailboxClaim(box: MailboxKeys, claim: MailboxClaim): Promise<MailboxHead> {
    const { keys, args } = claimParts(box, claim);
    return toHead(await this.redis.mailboxClaim(...keys, ...args));
  }

  async mailboxNext(
    box: MailboxKeys,
    token: string,
    ttlMs: number,
    done: string,
    commit: MailboxCommit = {},
  ): Promise<MailboxNextResult> {
    const { set, forward } = commit;
    // Finishing an item with nothing to write (the outbox's) takes the script without a commit.
    if (!set && !forward)
      return { head: toHead(await this.redis.mailboxNext(box.lock, box.list, token, ms(ttlMs), done)) };
    const [head, forwarded] = await this.redis.mailboxCommit(
      box.lock,
      box.list,
      set?.key ?? box.list,
      forward?.box.lock ?? box.list,
      forward?.box.list ?? box.list,
      forward?.claim.read ?? box.list,
      token,
      ms(ttlMs),
      done,
      set ? '1' : '0',
      set?.value ?? '',
      set ? ms(set.ttlMs) : '0',
      forward ? '1' : '0',
      forward?.item ?? '',
      forward ? ms(forward.itemTtlMs) : '0',
      forward?.claim.token ?? '',
      forward ? ms(forward.claim.ttlMs) : '0',
      forward?.claim.read === undefined ? '0' : '1',
    );
    return forwarded.length === 0
      ? { head: toHead(head) }
      : { head: toHead(head), forwarded: toHead(forwarded, forward?.item) };
  }

  async mailboxMark(
    box: MailboxKeys,
    token: string,
    ttlMs: number,
    mark: { key: string; value: string; ttlMs: number },
  ): Promise<boolean> {
    const reply = await this.redis.mailboxMark(
      box.lock,
      mark.key,
      token,
      ms(ttlMs),
      mark.value,
      ms(mark.ttlMs),
    );
    return reply === 1;
  }

  async *scanKeys(prefix: string): AsyncIterable<string[]> {
    // SCAN matches the full key, prefix included, and returns it so.
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        `${escapeGlob(this.keyPrefix + prefix)}*`,
        'COUNT',
        1000,
      );
      cursor = next;
      if (keys.length > 0) yield keys.map((key) => key.slice(this.keyPrefix.length));
    } while (cursor !== '0');
  }

  async publish(channel: string, message: string): Promise<void> {
    // Pub/sub channels ignore ioredis's keyPrefix, so the prefix is added by hand.
    await this.redis.publish(this.keyPrefix + channel, message);
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>> {
    const subscriber = await this.subscriberConnection();
    const name = this.keyPrefix + channel;
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
      await subscriber.subscribe(name);
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(name) === set) {
        this.listeners.delete(name);
        await subscriber.unsubscribe(name);
      }
    };
  }

  private async subscriberConnection(): Promise<Redis> {
    if (this.subscriber) return this.subscriber;
    // A connection in subscriber mode can run no other command: it gets its own.
    const subscriber = this.redis.duplicate({ keyPrefix: '' });
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.listeners.get(channel) ?? []) listener(message);
    });
    subscriber.on('error', () => undefined);
    if (subscriber.status === 'wait') await subscriber.connect();
    return subscriber;
  }

  async ping(): Promise<void> {
    await withTimeout(this.redis.ping(), PING_TIMEOUT_MS, 'redis ping timed out');
  }

  /**
   * Writes the data marker, then checks for it on every reconnect and every 15 s: when it is
   * gone, Redis came back empty (restarted without persistence, flushed, failed over to an
   * empty replica). `onLost` is told once per loss, after the marker is written again, so the
   * caller can rebuild what lived only in Redis (timers from PostgreSQL).
   */
  async watchForDataLoss(onLost: () => Promise<void>, logger?: Logger): Promise<void> {
    await this.redis.set(DATA_MARKER_KEY, new Date().toISOString(), 'NX');
    let checking = false;
    const check = async () => {
      if (checking) return;
      checking = true;
      try {
        const written = await this.redis.set(DATA_MARKER_KEY, new Date().toISOString(), 'NX');
        if (written !== 'OK') return;
        logger?.error(
          { marker: DATA_MARKER_KEY },
          'REDIS LOST ITS DATA: conversation states, dedupe markers and queued jobs are gone; rebuilding timers from the database. Turn on Redis persistence (appendonly yes).',
        );
        await onLost();
      } catch (error) {
        logger?.warn({ err: error }, 'redis data check failed');
      } finally {
        checking = false;
      }
    };
    this.redis.on('ready', () => void check());
    this.markerTimer = setInterval(() => void check(), MARKER_CHECK_MS).unref();
  }

  async close(): Promise<void> {
    clearInterval(this.markerTimer);
    this.subscriber?.disconnect();
    this.redis.disconnect();
  }
}

/** `text` matched literally by a SCAN/KEYS glob. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}

/** Deletes every key under `prefix` (test runs and benchmarks clean up with this). */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<void> {
  const redis = connectRedis(url);
  await redis.connect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}
