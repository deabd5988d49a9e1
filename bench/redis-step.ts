// Redis's share of one conversation step: the four store calls a Telegram /start costs Frontdoor
// (push with dedupe and claim, the commit that stores the state and hands the batch to the
// outbox, the rate-limit take, the outbox's removal of the sent batch), made with no engine
// and no HTTP around them, 64 conversations at a time. Prints the Redis server's CPU per step
// (from /proc, so Redis must run on this machine) and this process's, median of the rounds.
// Several checkouts take turns in the same rounds (their own redis-store.ts), for A/B of a
// store change: `npx tsx bench/redis-step.ts <other checkout> .`. BENCH_STEP_NOOP=1 adds a run of
// this checkout's calls with the same keys and arguments against scripts that do nothing:
// what the scripts' invocation costs before their first redis.call. Redis's CPU counts every
// client's commands: on a shared Redis point BENCH_REDIS_URL at one of your own
// (`redis-server --port 6391 --save ""`). Asserts nothing.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { RedisStore } from '../src/storage/kv/redis-store.ts';
import { deleteKeysWithPrefix } from '../src/storage/kv/redis-store.ts';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const STEPS = Number(process.env.BENCH_STEPS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const CONCURRENCY = 64;
const PATIENTS = 3_000;

const info = new Redis(REDIS_URL);
const pid = Number(/process_id:(\d+)/.exec(await info.info('server'))?.[1]);
info.disconnect();
if (!existsSync(`/proc/${pid}/stat`))
  throw new Error('Redis must run on this machine (its CPU is read from /proc)');
const cpuUs = (of: number) => {
  const fields = readFileSync(`/proc/${of}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};

interface Candidate {
  name: string;
  store: RedisStore;
  prefix: string;
}
const prefix = `bench-step-${randomUUID().slice(0, 8)}`;
const checkouts = process.argv.slice(2);
const candidates: Candidate[] = [];
for (const [index, checkout] of (checkouts.length > 0 ? checkouts : ['.']).entries()) {
  const module = (await import(resolve(checkout, 'src/storage/kv/redis-store.ts'))) as {
    RedisStore: typeof RedisStore;
  };
  const keyPrefix = `${prefix}-${index}`;
  candidates.push({
    name: checkout,
    store: await module.RedisStore.connect(REDIS_URL, keyPrefix),
    prefix: keyPrefix,
  });
}
if (process.env.BENCH_STEP_NOOP) {
  const { RedisStore: Store } = await import('../src/storage/kv/redis-store.ts');
  const keyPrefix = `${prefix}-noop`;
  const store = await Store.connect(REDIS_URL, keyPrefix);
  // The connection's scripts replaced by ones that answer at once, with the same key counts.
  const connection = (store as unknown as { redis: Redis }).redis;
  connection.defineCommand('mailboxPush', { numberOfKeys: 4, lua: "return {'own', false, false}" });
  connection.defineCommand('mailboxCommit', {
    numberOfKeys: 6,
    lua: "return {{'empty'}, {'own', false, false}}",
  });
  connection.defineCommand('mailboxNext', { numberOfKeys: 2, lua: "return {'empty'}" });
  connection.defineCommand('takeSlots', { lua: 'return 0' });
  candidates.push({ name: '(same calls, scripts that do nothing)', store, prefix: keyPrefix });
}

// What the bench's /start costs in stored bytes: the event, the state and the consent question.
const state =
  '{"version":2,"step":"onboarding.consent","locale":"en","channel":"telegram","country":"VN","draft":{},"outSeq":3,"consented":false}';
const message = {
  text: 'x'.repeat(330),
  links: [{ label: 'Privacy notice', url: 'http://localhost:39103/privacy?lang=en' }],
  choices: [
    { data: 'onboarding.consent|yes', label: 'I agree' },
    { data: 'onboarding.consent|no', label: 'I do not agree' },
  ],
};

async function step(store: RedisStore, i: number, round: number): Promise<void> {
  const user = 100_000 + (i % PATIENTS);
  const tag = `{telegram:${user}}`;
  const inbox = { list: `inbox:${tag}`, lock: `inbox-lock:${tag}` };
  const outbox = { list: `outbox:${tag}`, lock: `outbox-lock:${tag}` };
  const token = randomUUID();
  const event = JSON.stringify({
    channel: 'telegram',
    channelUserId: String(user),
    dedupeKey: `tg:${round}:${i}`,
    sentAt: Date.now(),
    platformLocale: 'en',
    content: { kind: 'text', text: '/start' },
  });
  const pushed = await store.mailboxPush(inbox, event, {
    ttlMs: 172_800_000,
    onceKey: `inbox-seen:${tag}:tg:${round}:${i}`,
    onceTtlMs: 172_800_000,
    claim: { token, ttlMs: 30_000, read: `conv:${tag}` },
  });
  if (!pushed.queued || pushed.head?.status !== 'item') return;
  const outboxToken = randomUUID();
  const batch = JSON.stringify({
    channel: 'telegram',
    channelUserId: String(user),
    seq: 3,
    messages: [message],
  });
  const next = await store.mailboxNext(inbox, token, 30_000, pushed.head.item, {
    set: { key: `conv:${tag}`, value: state, ttlMs: 3_600_000 },
    forward: {
      box: outbox,
      item: batch,
      itemTtlMs: 86_400_000,
      claim: { token: outboxToken, ttlMs: 60_000, read: `outbox-progress:${tag}` },
    },
  });
  const now = Date.now();
  await store.takeSlots([
    { key: `rate:{telegram}:bot:${Math.floor(now / 1_000)}`, max: 100_000, ttlMs: 2_000 },
    { key: `rate:{telegram}:chat:${user}:${Math.floor(now / 3_000)}`, max: 3, ttlMs: 6_000 },
  ]);
  if (next.forwarded?.status === 'item')
    await store.mailboxNext(outbox, outboxToken, 60_000, next.forwarded.item);
}

const figures = candidates.map(() => ({ redis: [] as number[], self: [] as number[] }));
try {
  // Round 0 warms up (scripts loaded, code compiled) and is not counted.
  for (let round = 0; round <= ROUNDS; round += 1) {
    const order = round % 2 === 0 ? candidates : [...candidates].reverse();
    for (const candidate of order) {
      let next = 0;
      const redisBefore = cpuUs(pid);
      const selfBefore = process.cpuUsage();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < STEPS) await step(candidate.store, next++, round);
        }),
      );
      const self = process.cpuUsage(selfBefore);
      if (round === 0) continue;
      const index = candidates.indexOf(candidate);
      figures[index]!.redis.push((cpuUs(pid) - redisBefore) / STEPS);
      figures[index]!.self.push((self.user + self.system) / STEPS);
    }
  }
} finally {
  for (const candidate of candidates) await candidate.store.close();
  await deleteKeysWithPrefix(REDIS_URL, prefix);
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(
  `Redis per conversation step: ${STEPS} steps a round, ${CONCURRENCY} at a time, ${ROUNDS} rounds; µs of CPU per step, median (lowest–highest)\n`,
);
const range = (values: number[]) =>
  `${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;
candidates.forEach((candidate, index) =>
  console.log(
    `${candidate.name.padEnd(40)} Redis ${range(figures[index]!.redis).padEnd(20)} client ${range(figures[index]!.self)}`,
  ),
);
