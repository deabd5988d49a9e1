// Redis implementation of the key-value port (ioredis). Keys are prefixed per deployment or
// test run; callers put the per-patient part in {braces} so Redis Cluster keeps related keys
// in one slot.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { withTimeout } from '../../with-timeout.ts';
import type { KeyValueStore, MailboxHead, WriteOptions } from './key-value-store.ts';

// Both scripts must be atomic: a lock released by a late holder, or a counter created
// without its window, would break per-patient ordering and rate limits.
const COMPARE_AND_DELETE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
const INCREMENT_WITH_WINDOW = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return value`;

// The mailbox scripts make dedupe-and-append, claim-and-peek and remove-and-peek single atomic
// steps: fewer round trips per message, and no window in which an item waits unseen.
const MAILBOX_PUSH = `
if #KEYS == 2 and not redis.call('SET', KEYS[2], '1', 'PX', ARGV[3], 'NX') then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;
const MAILBOX_HEAD = `
local head = redis.call('LINDEX', KEYS[2], 0)
if not head then redis.call('DEL', KEYS[1]) return {'empty'} end
return {'item', head}`;
const MAILBOX_CLAIM = `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {'busy'} end
${MAILBOX_HEAD}`;
const MAILBOX_NEXT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'lost'} end
if redis.call('LINDEX', KEYS[2], 0) == ARGV[3] then redis.call('LPOP', KEYS[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
${MAILBOX_HEAD}`;

const SCRIPTS = {
  // Without numberOfKeys: the key count is the first argument (one or two keys).
  mailboxPush: { lua: MAILBOX_PUSH },
  compareAndDelete: { numberOfKeys: 1, lua: COMPARE_AND_DELETE },
  incrementWithWindow: { numberOfKeys: 1, lua: INCREMENT_WITH_WINDOW },
  mailboxClaim: { numberOfKeys: 2, lua: MAILBOX_CLAIM },
  mailboxNext: { numberOfKeys: 2, lua: MAILBOX_NEXT },
};

/** The connection with our scripts registered (sent once, then called by SHA). */
type ScriptedRedis = Redis & {
  mailboxPush(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
  compareAndDelete(key: string, expected: string): Promise<number>;
  incrementWithWindow(key: string, by: number, ttlMs: number): Promise<number>;
  mailboxClaim(lock: string, list: string, token: string, ttlMs: number): Promise<string[]>;
  mailboxNext(lock: string, list: string, token: string, ttlMs: number, done: string): Promise<string[]>;
};

function toHead(reply: string[]): MailboxHead {
  const [status, item] = reply;
  if (status === 'item') return { status, item: item ?? '' };
  return { status: status as 'empty' | 'busy' | 'lost' };
}

const PING_TIMEOUT_MS = 1_000;

/** Opens a Redis connection suited to request-path commands: fail fast when Redis is down. */
export function connectRedis(url: string, keyPrefix = ''): Redis {
  return new Redis(url, {
    keyPrefix,
    lazyConnect: true,
    maxRetriesPerRequest: 2,
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

  async ttl(key: string): Promise<number | undefined> {
    const ms = await this.redis.pttl(key);
    return ms < 0 ? undefined : ms;
  }

  async sortedAdd(key: string, score: number, member: string): Promise<void> {
    await this.redis.zadd(key, score, member);
  }

  async sortedRange(key: string, min: number, max: number): Promise<{ member: string; score: number }[]> {
    const flat = await this.redis.zrangebyscore(key, min, max, 'WITHSCORES');
    const result: { member: string; score: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) result.push({ member: flat[i]!, score: Number(flat[i + 1]) });
    return result;
  }

  async sortedRemove(key: string, member: string): Promise<boolean> {
    return (await this.redis.zrem(key, member)) > 0;
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

  async mailboxPush(
    list: string,
    item: string,
    options: { ttlMs: number; onceKey?: string; onceTtlMs?: number },
  ): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(options.ttlMs));
    const keys = options.onceKey ? [list, options.onceKey] : [list];
    const once = Math.max(1, Math.ceil(options.onceTtlMs ?? options.ttlMs));
    return (await this.redis.mailboxPush(keys.length, ...keys, item, ttl, once)) === 1;
  }

  async mailboxClaim(lock: string, list: string, token: string, ttlMs: number): Promise<MailboxHead> {
    return toHead(await this.redis.mailboxClaim(lock, list, token, Math.ceil(ttlMs)));
  }

  async mailboxNext(
    lock: string,
    list: string,
    token: string,
    ttlMs: number,
    done: string,
  ): Promise<MailboxHead> {
    return toHead(await this.redis.mailboxNext(lock, list, token, Math.ceil(ttlMs), done));
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

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    this.redis.disconnect();
  }
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
