// Bad bodies, a longer run than the one in npm test (test/fuzz/bodies.test.ts): the same
// generated bodies, validly signed, to every route that takes input from outside, through
// app.inject() on one instance with the embedded database. Prints per route the bodies sent,
// the count of each status and the bodies per second, then whether every table and key-value
// entry is as before. BENCH_FUZZ_BODIES sets the bodies per route (default 30,000). Exits
// non-zero on a 5xx, an error in the log or a changed snapshot.
import fc from 'fast-check';
import { startEdgeRig, type Answer, type EdgeRig } from '../test/support/edge.ts';
import {
  auditQueries,
  chatBodies,
  intakeActionBodies,
  lineBodies,
  signInBodies,
  stripeBodies,
  telegramBodies,
} from '../test/support/fuzz-bodies.ts';

const BODIES = Number(process.env.BENCH_FUZZ_BODIES ?? 30_000);

const rig = await startEdgeRig();
const before = await rig.snapshot();
let failed = false;

const routes: [string, fc.Arbitrary<unknown>, (rig: EdgeRig, body: never) => Promise<Answer>][] = [
  ['POST /webhooks/telegram', telegramBodies, (r, body) => r.telegram(body)],
  ['POST /webhooks/line', lineBodies, (r, body) => r.line(body)],
  ['POST /webhooks/stripe', stripeBodies, (r, body) => r.stripe(body)],
  ['POST /console/api/sign-in', signInBodies, (r, body) => r.signIn(body)],
  ['GET /console/api/audit', auditQueries, (r, query: Record<string, string>) => r.audit(query)],
  [
    'POST /console/api/intakes/:id/<action>',
    intakeActionBodies,
    (r, { action, body }: { action: 'acuity'; body: unknown }) => r.intakeAction(action, body),
  ],
  ['POST /chat/api/messages', chatBodies, (r, body) => r.chat(body)],
];

console.log(`bad bodies: ${BODIES} per route, signed, through app.inject()`);
for (const [route, bodies, send] of routes) {
  const statuses = new Map<number, number>();
  let sent = 0;
  const started = performance.now();
  try {
    await fc.assert(
      // 16 at once, as in the test: console requests wait on their session lookups.
      fc.asyncProperty(fc.array(bodies, { minLength: 16, maxLength: 16 }), async (batch) => {
        const answers = await Promise.all(batch.map((body) => send(rig, body as never)));
        for (const answer of answers) {
          sent += 1;
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (answer.status >= 500)
            throw new Error(`answered ${answer.status}: ${answer.body.slice(0, 300)}`);
        }
      }),
      { numRuns: Math.ceil(BODIES / 16), endOnFailure: true },
    );
  } catch (error) {
    failed = true;
    console.log(String(error).slice(0, 2000));
  }
  const seconds = (performance.now() - started) / 1000;
  const counts = [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  console.log(
    `${route.padEnd(40)} ${String(sent).padStart(7)} bodies  ${counts}  (${Math.round(sent / seconds)}/s)`,
  );
}

const errors = rig.errorLogs();
const unchanged = (await rig.snapshot()) === before;
console.log(
  `errors logged: ${errors.length}; tables and key-value store unchanged: ${unchanged ? 'yes' : 'NO'}`,
);
for (const line of errors.slice(0, 5)) console.log(line.slice(0, 500));
await rig.stop();
if (failed || errors.length > 0 || !unchanged) process.exitCode = 1;
