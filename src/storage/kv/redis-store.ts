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

// KEYS: counters. ARGV: max and ttl of each, in turn.
const TAKE_SLOTS = `
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[2 * i - 1]) then return i end
end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[2 * i]) end
end
return 0`;

// The mailbox scripts make dedupe-append-claim, claim-and-read and commit-remove-forward single
// atomic steps: a conversation step costs three round trips in all, and no item waits unseen.
// Absent optional keys are passed as the list key (same hash slot) with their flag unset.
const CLAIMED_HEAD = `
local head = redis.call('LINDEX', KEYS[2], 0)
if not head then redis.call('DEL', KEYS[1]) return {'empty'} end
local value = false
if ARGV[3] == '1' then value = redis.call('GET', KEYS[3]) end
local count = false
if ARGV[4] == '1' then count = redis.call('LLEN', KEYS[4]) end
return {'item', head, value, count}`;
// KEYS: lock, list, read, count, once.
// ARGV: token ('' = no claim), lockTtl, read?, count?, item, listTtl, onceTtl ('' = no once).
const MAILBOX_PUSH = `
if ARGV[7] ~= '' and not redis.call('SET', KEYS[5], '1', 'PX', ARGV[7], 'NX') then return {'duplicate'} end
redis.call('RPUSH', KEYS[2], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
if ARGV[1] == '' then return {'queued'} end
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {'busy'} end
${CLAIMED_HEAD}`;
// KEYS: lock, list, read, count. ARGV: token, lockTtl, read?, count?.
const MAILBOX_CLAIM = `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {'busy'} end
${CLAIMED_HEAD}`;
// KEYS: lock, list, set, forward lock, forward list, forward read.
// ARGV: token, lockTtl, done, set?, value, valueTtl, forward?, item, itemTtl, forward token, forward lockTtl, forward read?.
const MAILBOX_NEXT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {{'lost'}, {}} end
if ARGV[4] == '1' then redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[6]) end
local forwarded = {}
if ARGV[7] == '1' then
  redis.call('RPUSH', KEYS[5], ARGV[8])
  redis.call('PEXPIRE', KEYS[5], ARGV[9])
  if redis.call('SET', KEYS[4], ARGV[10], 'PX', ARGV[11], 'NX') then
    local value = false
    if ARGV[12] == '1' then value = redis.call('GET', KEYS[6]) end
    forwarded = {'item', redis.call('LINDEX', KEYS[5], 0), value}
  else
    forwarded = {'busy'}
  end
end
if redis.call('LINDEX', KEYS[2], 0) == ARGV[3] then redis.call('LPOP', KEYS[2]) end
local head = redis.call('LINDEX', KEYS[2], 0)
if not head then redis.call('DEL', KEYS[1]) return {{'empty'}, forwarded} end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {{'item', head}, forwarded}`;

// KEYS: lock, mark. ARGV: token, lockTtl, value, valueTtl.
const MAILBOX_MARK = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

const SCRIPTS = {
  // Without numberOfKeys: the key count is the first argument.
  takeSlots: { lua: TAKE_SLOTS },
  compareAndDelete: { numberOfKeys: 1, lua: COMPARE_AND_DELETE },
  incrementWithWindow: { numberOfKeys: 1, lua: INCREMENT_WITH_WINDOW },
  mailboxPush: { numberOfKeys: 5, lua: MAILBOX_PUSH },
  mailboxClaim: { numberOfKeys: 4, lua: MAILBOX_CLAIM },
  mailboxNext: { numberOfKeys: 6, lua: MAILBOX_NEXT },
  mailboxMark: { numberOfKeys: 2, lua: MAILBOX_MARK },
};

type Reply = (string | number | null)[];

/** The connection with our scripts registered (sent once, then called by SHA). */
type ScriptedRedis = Redis & {
  compareAndDelete(key: string, expected: string): Promise<number>;
  incrementWithWindow(key: string, by: number, ttlMs: number): Promise<number>;
  takeSlots(numberOfKeys: number, ...keysAndArgs: string[]): Promise<number>;
  mailboxPush(...keysAndArgs: string[]): Promise<Reply>;
  mailboxClaim(...keysAndArgs: string[]): Promise<Reply>;
  mailboxNext(...keysAndArgs: string[]): Promise<[Reply, Reply]>;
  mailboxMark(...keysAndArgs: string[]): Promise<number>;
};

const ms = (value: number) => String(Math.max(1, Math.ceil(value)));

function toHead(reply: Reply): MailboxHead {
  const [status, item, value, count] = reply;
  if (status !== 'item') return { status: status as 'empty' | 'busy' | 'lost' };
  const head: MailboxHead = { status, item: String(item) };
  if (typeof value === 'string') head.value = value;
  if (typeof count === 'number') head.count = count;
  return head;
}

/** The keys and arguments a claim adds to the push and claim scripts. */
function claimParts(box: MailboxKeys, claim: MailboxClaim | undefined): { keys: string[]; args: string[] } {
  return {
    keys: [box.lock, box.list, claim?.read ?? box.list, claim?.count ?? box.list],
    args: [
      claim?.token ?? '',
      claim ? ms(claim.ttlMs) : '0',
      claim?.read === undefined ? '0' : '1',
      claim?.count === undefined ? '0' : '1',
    ],
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
    return reply[0] === 'queued' ? { queued: true } : { queued: true, head: toHead(reply) };
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
    const [head, forwarded] = await this.redis.mailboxNext(
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
      : { head: toHead(head), forwarded: toHead(forwarded) };
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
