// The live queue under load: one department with 2,000 waiting patients spread over Telegram,
// LINE and the web chat, on real PostgreSQL and Redis, with the platforms' local fakes and the
// production pacing (1 message a second per Telegram chat, 30 a second per bot). 100 "call
// next" in a row; for each, the time from the call to the last message it caused leaving
// (reaching a platform fake, or the web chat's transcript), and the messages it caused. Only
// the thresholds (QUEUE_NOTIFY_AHEAD) and the called patient may be messaged: a few per call,
// never the whole line. Prints figures; asserts nothing (timing goals never live in npm test).
// BENCH_QUEUE_WAITING (default 2000) and BENCH_QUEUE_CALLS (default 100) size it.
import { ticketLabel } from '../src/domain/queue-rules.ts';
import { zonedDate } from '../src/domain/time-zone.ts';
import { FieldCipher } from '../src/security/field-cipher.ts';

const WAITING = Number(process.env.BENCH_QUEUE_WAITING ?? 2000);
const CALLS = Number(process.env.BENCH_QUEUE_CALLS ?? 100);
process.env.TEST_DATABASE_URL ??=
  process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
process.env.TEST_REDIS_URL ??= process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const { startTestInstance, TEST_FIELD_KEY } = await import('../test/support/instance.ts');
const { TelegramFake, FAKE_BOT_TOKEN } = await import('../test/support/fakes/telegram-fake.ts');
const { LineFake, FAKE_LINE_SECRET, FAKE_LINE_TOKEN } = await import('../test/support/fakes/line-fake.ts');

const telegram = await new TelegramFake().start();
const line = await new LineFake().start();
const instance = await startTestInstance({
  env: {
    TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN,
    TELEGRAM_API_ROOT: telegram.url,
    TELEGRAM_WEBHOOK_SECRET: 'bench-secret',
    LINE_CHANNEL_SECRET: FAKE_LINE_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: FAKE_LINE_TOKEN,
    LINE_API_BASE_URL: line.url,
  },
  // Telegram's own pacing, not the tests' shortened one.
  perChatIntervalMs: 1000,
});
const { frontdoor } = instance;

// Web chat messages leave when they reach the transcript the page reads.
const webSent: number[] = [];
const append = frontdoor.webLog.append.bind(frontdoor.webLog);
frontdoor.webLog.append = async (...args: Parameters<typeof append>) => {
  const length = await append(...args);
  webSent.push(performance.now());
  return length;
};
// The fakes stamp requests with Date.now(); the web transcript with performance.now().
const sentAt = () => [
  ...telegram.http.requests
    .filter((r) => r.path.endsWith('/sendMessage') || r.path.endsWith('/sendPhoto'))
    .map((r) => r.at),
  ...line.http.requests.filter((r) => r.path.startsWith('/v2/bot/message/')).map((r) => r.at),
];

// The line as the desk writes it, seeded in one statement: 2,000 desk calls would take minutes
// of setup that say nothing about calling.
const cipher = new FieldCipher(TEST_FIELD_KEY);
const now = Date.now();
const day = zonedDate(new Date(now), 'Asia/Ho_Chi_Minh');
const address = (n: number) =>
  n % 3 === 0
    ? { channel: 'telegram', channelUserId: String(700_000_000 + n) }
    : n % 3 === 1
      ? { channel: 'line', channelUserId: `U${n.toString(16).padStart(32, '0')}` }
      : { channel: 'web', channelUserId: `bench-web-${n}` };
await frontdoor.database.prisma.queueTicket.createMany({
  data: Array.from({ length: WAITING }, (_, i) => {
    const n = i + 1;
    return {
      department: 'general_medicine',
      day,
      number: n,
      label: ticketLabel('A', n),
      kind: 'walk_in',
      checkedInAt: new Date(now - (WAITING - n) * 1000),
      queuedAt: new Date(now - (WAITING - n) * 1000),
      sortAt: new Date(now - (WAITING - n) * 1000),
      address: cipher.encryptJson(address(n)),
      addressKey: cipher.lookupHash('queue-address', `${address(n).channel}:${address(n).channelUserId}`),
      locale: 'en',
    };
  }),
});
await frontdoor.database.prisma.queueCounter.create({
  data: { department: 'general_medicine', day, last: WAITING },
});

const latencies: number[] = [];
const callMs: number[] = [];
const perCall: number[] = [];
for (let call = 0; call < CALLS; call++) {
  const before = { platform: sentAt().length, web: webSent.length };
  const startedWall = Date.now();
  const started = performance.now();
  await frontdoor.queue.callNext('general_medicine', String((call % 4) + 1), { staffId: 'bench' });
  callMs.push(performance.now() - started);
  await frontdoor.idle();
  const platform = sentAt().slice(before.platform);
  const web = webSent.slice(before.web);
  const last = Math.max(...platform.map((at) => at - startedWall), ...web.map((at) => at - started), 0);
  latencies.push(last);
  perCall.push(platform.length + web.length);
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};
const board = await frontdoor.queue.board('general_medicine');
console.log(
  `queue: ${WAITING} waiting over telegram/line/web, ${CALLS} call-next in a row (PostgreSQL + Redis)`,
);
console.log(
  `  call-next itself: p50 ${quantile(callMs, 0.5).toFixed(0)} ms, p99 ${quantile(callMs, 0.99).toFixed(0)} ms`,
);
console.log(
  `  call-next → last affected patient's message out: p50 ${quantile(latencies, 0.5).toFixed(0)} ms, p99 ${quantile(latencies, 0.99).toFixed(0)} ms`,
);
console.log(
  `  messages per call: mean ${(perCall.reduce((a, b) => a + b, 0) / CALLS).toFixed(2)}, max ${Math.max(...perCall)} (of ${WAITING} waiting); ${board.waiting.length} still waiting`,
);
await instance.stop();
await telegram.stop();
await line.stop();
