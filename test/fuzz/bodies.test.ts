// Issue 14, property-based: thousands of generated bad bodies, validly signed, to every route
// that takes input from outside, through app.inject() on one instance. None may get a 5xx,
// log an error, or be acted on; afterwards every table and every key-value entry is as it was.
// FUZZ_RUNS sets the bodies per route (10,000 here; `npm run bench` sends more).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTAKE_ACTIONS, startEdgeRig, type Answer, type EdgeRig } from '../support/edge.ts';
import {
  auditQueries,
  chatBodies,
  intakeActionBodies,
  lineBodies,
  signInBodies,
  stripeBodies,
  telegramBodies,
} from '../support/fuzz-bodies.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const BATCH = 16;
const TIMEOUT_MS = 240_000;

/** Refused with a JSON 4xx, or (where the platform may send what we do not serve) a 200 that ignores it. */
function refusedOrIgnored(answer: Answer, ignored?: (body: Record<string, unknown>) => boolean): boolean {
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  if (answer.status >= 400 && answer.status < 500) return typeof body.error === 'string';
  return answer.status === 200 && ignored !== undefined && ignored(body);
}

describe('generated bad bodies at every edge', () => {
  let rig: EdgeRig;
  let before = '';

  beforeAll(async () => {
    rig = await startEdgeRig();
    before = await rig.snapshot();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  // Sent in batches of BATCH at once: a console request waits on its session lookup (Redis and
  // PostgreSQL round trips), and overlapping those waits is what keeps 10,000 within seconds.
  // fast-check still shrinks a failing batch to the body that fails.
  async function fuzz<T>(
    bodies: fc.Arbitrary<T>,
    send: (body: T) => Promise<Answer>,
    accept: (answer: Answer) => boolean,
  ) {
    await fc.assert(
      fc.asyncProperty(fc.array(bodies, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const answers = await Promise.all(batch.map(send));
        const wrong = answers.find((answer) => !accept(answer));
        if (wrong) throw new Error(`answered ${wrong.status}: ${wrong.body.slice(0, 300)}`);
      }),
      { numRuns: Math.ceil(RUNS / BATCH) },
    );
    expect(rig.errorLogs()).toEqual([]);
    expect((await rig.snapshot()).split('\n')).toEqual(before.split('\n'));
  }

  it(
    `Telegram webhook: ${RUNS} bodies, none a 5xx, none accepted`,
    () =>
      fuzz(
        telegramBodies,
        (body) => rig.telegram(body),
        (answer) => refusedOrIgnored(answer, (b) => b.result === 'ignored'),
      ),
    TIMEOUT_MS,
  );

  it(
    `LINE webhook: ${RUNS} signed bodies, none a 5xx, none accepted`,
    () =>
      fuzz(
        lineBodies,
        (body) => rig.line(body),
        (answer) => refusedOrIgnored(answer, (b) => b.accepted === 0),
      ),
    TIMEOUT_MS,
  );

  it(
    `Stripe webhook: ${RUNS} signed events, none a 5xx, none handled`,
    () =>
      fuzz(
        stripeBodies,
        (body) => rig.stripe(body),
        (answer) => refusedOrIgnored(answer, (b) => b.handled === false),
      ),
    TIMEOUT_MS,
  );

  it(
    `console sign-in: ${RUNS} bodies, each a 400 before any account is looked up`,
    () =>
      fuzz(
        signInBodies,
        (body) => rig.signIn(body),
        (answer) => answer.status === 400 && refusedOrIgnored(answer),
      ),
    TIMEOUT_MS,
  );

  it(
    `console audit query: ${RUNS} queries, each a 400`,
    () =>
      fuzz(
        auditQueries,
        (query) => rig.audit(query),
        (answer) => answer.status === 400 && refusedOrIgnored(answer),
      ),
    TIMEOUT_MS,
  );

  it(
    `console intake actions: ${RUNS} bodies across ${INTAKE_ACTIONS.join(', ')}, none a 5xx, none stored`,
    () =>
      fuzz(
        intakeActionBodies,
        ({ action, body }) => rig.intakeAction(action, body),
        (answer) => refusedOrIgnored(answer),
      ),
    TIMEOUT_MS,
  );

  it(
    `web chat messages: ${RUNS} bodies, each a 400`,
    () =>
      fuzz(
        chatBodies,
        (body) => rig.chat(body),
        (answer) => answer.status === 400 && refusedOrIgnored(answer),
      ),
    TIMEOUT_MS,
  );
});
