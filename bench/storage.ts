// `npm run bench`: throughput figures for the storage and job ports, embedded twin against
// the real service (set BENCH_REDIS_URL, default redis://127.0.0.1:6379 when reachable).
// Prints figures; asserts nothing (timing goals never live in `npm test`).
import { randomUUID } from 'node:crypto';
import { BullmqQueue } from '../src/jobs/bullmq-queue.ts';
import { InProcessQueue } from '../src/jobs/in-process-queue.ts';
import type { JobQueue } from '../src/jobs/job-queue.ts';
import type { KeyValueStore } from '../src/storage/kv/key-value-store.ts';
import { MemoryStore } from '../src/storage/kv/memory-store.ts';
import { RedisStore, deleteKeysWithPrefix } from '../src/storage/kv/redis-store.ts';

const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Lock-acquire, read, write, release: the engine's per-message pattern. */
async function kvRoundTrips(store: KeyValueStore, patients: number, messagesEach: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: patients }, async (_, p) => {
      for (let m = 0; m < messagesEach; m += 1) {
        const token = randomUUID();
        const lock = `lock:{p${p}}`;
        if (!(await store.setIfAbsent(lock, token, { ttlMs: 5_000 }))) continue;
        const state = await store.get(`conv:{p${p}}`);
        await store.set(
          `conv:{p${p}}`,
          JSON.stringify({ n: state ? (JSON.parse(state) as { n: number }).n + 1 : 1 }),
          { ttlMs: 60_000 },
        );
        await store.compareAndDelete(lock, token);
      }
    }),
  );
  return (patients * messagesEach) / ((performance.now() - started) / 1000);
}

async function jobThroughput(queue: JobQueue, jobs: number): Promise<number> {
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  queue.define(
    'bench',
    async () => {
      done += 1;
      if (done === jobs) finish();
    },
    { concurrency: 50 },
  );
  const started = performance.now();
  await Promise.all(Array.from({ length: jobs }, (_, i) => queue.add('bench', { i }, { jobId: `job-${i}` })));
  await finished;
  const perSecond = jobs / ((performance.now() - started) / 1000);
  await queue.close();
  return perSecond;
}

function row(name: string, memory: number, redis: number | undefined): string {
  const ratio = redis === undefined ? '' : `  (redis/memory ${(redis / memory).toFixed(2)})`;
  return `${name.padEnd(34)} memory ${memory.toFixed(0).padStart(8)}/s   redis ${redis === undefined ? 'n/a'.padStart(8) : redis.toFixed(0).padStart(8)}/s${ratio}`;
}

const runPrefix = `bench-${randomUUID().slice(0, 8)}`;
const redisStore = await RedisStore.connect(redisUrl, `${runPrefix}:`).catch(() => undefined);
const memoryKv = await kvRoundTrips(new MemoryStore(), 500, 20);
const redisKv = redisStore ? await kvRoundTrips(redisStore, 500, 20) : undefined;
await redisStore?.close();

const memoryJobs = await jobThroughput(new InProcessQueue(), 5_000);
const redisJobs = redisStore ? await jobThroughput(new BullmqQueue(redisUrl, runPrefix), 5_000) : undefined;

if (redisStore) {
  await deleteKeysWithPrefix(redisUrl, `${runPrefix}:`);
  await deleteKeysWithPrefix(redisUrl, `{${runPrefix}}`);
}

console.log('Frontdoor foundation benchmarks');
console.log(row('conversation step (lock/get/set/unlock)', memoryKv, redisKv));
console.log(row('jobs added and run (5,000)', memoryJobs, redisJobs));
if (!redisStore) console.log(`(Redis at ${redisUrl} unreachable: only the embedded twins were measured)`);
