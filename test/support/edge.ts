// One instance with every edge that takes bodies from outside (Telegram, LINE and Stripe
// webhooks with their fakes, the console signed in as a nurse and an admin, a web chat
// session), driven with app.inject() so thousands of bodies take seconds, and a snapshot of
// everything the instance stores to prove a refused body changed nothing.
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { StaffAccounts } from '../../src/security/staff-accounts.ts';
import { FAKE_LINE_SECRET, FAKE_LINE_TOKEN, LineFake, lineSignature } from './fakes/line-fake.ts';
import { FAKE_STRIPE_KEY, FAKE_STRIPE_WEBHOOK_SECRET, StripeFake } from './fakes/stripe-fake.ts';
import { FAKE_BOT_TOKEN, TelegramFake } from './fakes/telegram-fake.ts';
import { startTestInstance, type TestInstance } from './instance.ts';

export const EDGE_PASSWORD = 'correct horse battery staple';
// Not telegram-patient.ts's: that module needs vitest, and `npm run bench` uses this rig too.
const TELEGRAM_SECRET = 'edge-telegram-webhook-secret';

/** The routes that take bodies from outside, by the name tests and the bench print. */
export const INTAKE_ACTIONS = ['acuity', 'route', 'messages', 'approve-appointment'] as const;

export interface Answer {
  status: number;
  body: string;
}

export interface EdgeRig {
  instance: TestInstance;
  telegram(body: unknown): Promise<Answer>;
  line(body: unknown): Promise<Answer>;
  stripe(body: unknown): Promise<Answer>;
  signIn(body: unknown): Promise<Answer>;
  /** GET /console/api/audit with `query` as the query string, as an admin. */
  audit(query: Record<string, string>): Promise<Answer>;
  /** POST /console/api/intakes/<random id>/<action>, as a nurse. */
  intakeAction(action: (typeof INTAKE_ACTIONS)[number], body: unknown): Promise<Answer>;
  chat(body: unknown): Promise<Answer>;
  /** The web chat session the chat() posts belong to. */
  chatSession: string;
  /** Every database row and key-value entry, as text. */
  snapshot(): Promise<string>;
  /** Log lines at error level or above (a failed request, an uncaught error). */
  errorLogs(): string[];
  stop(): Promise<void>;
}

type Cookies = Record<string, string>;
const cookieHeader = (cookies: Cookies) =>
  Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');

/** A body sent as this exact text (JSON.stringify cannot write a value nested 20,000 deep). */
export class RawBody {
  constructor(readonly text: string) {}
}

/** Bodies are sent as JSON text: a value JSON cannot carry (undefined) is sent as `null`. */
const json = (body: unknown) => (body instanceof RawBody ? body.text : (JSON.stringify(body) ?? 'null'));

export async function startEdgeRig(): Promise<EdgeRig> {
  const telegramFake = await new TelegramFake().start();
  const lineFake = await new LineFake().start();
  const stripeFake = await new StripeFake().start();
  const instance = await startTestInstance({
    env: {
      TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN,
      TELEGRAM_API_ROOT: telegramFake.url,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      LINE_CHANNEL_SECRET: FAKE_LINE_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: FAKE_LINE_TOKEN,
      LINE_API_BASE_URL: lineFake.url,
      STRIPE_SECRET_KEY: FAKE_STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: FAKE_STRIPE_WEBHOOK_SECRET,
      STRIPE_API_BASE_URL: stripeFake.url,
    },
  });
  const { app, database, kv } = instance.frontdoor;
  const accounts = new StaffAccounts(database.prisma, { maxFailures: 5, lockoutMs: 60_000 });
  await accounts.upsert({ email: 'nurse@edge.test', roles: ['nurse'], password: EDGE_PASSWORD });
  await accounts.upsert({ email: 'admin@edge.test', roles: ['admin'], password: EDGE_PASSWORD });

  const collect = (cookies: Cookies, response: { cookies: { name: string; value: string }[] }) => {
    for (const cookie of response.cookies) cookies[cookie.name] = cookie.value;
  };
  /** A console client's cookies and CSRF token, signed in as `email` when given. */
  const consoleSession = async (email?: string) => {
    const cookies: Cookies = {};
    const csrf = await app.inject({ method: 'GET', url: '/console/api/csrf' });
    collect(cookies, csrf);
    let token = csrf.json<{ csrfToken: string }>().csrfToken;
    if (email) {
      const signedIn = await app.inject({
        method: 'POST',
        url: '/console/api/sign-in',
        headers: { cookie: cookieHeader(cookies), 'x-csrf-token': token },
        payload: { email, password: EDGE_PASSWORD },
      });
      if (signedIn.statusCode !== 200) throw new Error(`sign-in failed: ${signedIn.body}`);
      collect(cookies, signedIn);
      const me = await app.inject({
        method: 'GET',
        url: '/console/api/me',
        headers: { cookie: cookieHeader(cookies) },
      });
      token = me.json<{ csrfToken: string }>().csrfToken;
    }
    return { cookie: cookieHeader(cookies), 'x-csrf-token': token };
  };
  const anonymous = await consoleSession();
  const nurse = await consoleSession('nurse@edge.test');
  const admin = await consoleSession('admin@edge.test');
  const chatCookies: Cookies = {};
  collect(chatCookies, await app.inject({ method: 'GET', url: '/chat' }));
  const chatCookie = cookieHeader(chatCookies);
  // The cookie is signed as `<session>.<signature>`.
  const chatSession = (chatCookies.fd_chat ?? '').replace(/\.[^.]*$/, '');

  const stripeSdk = new Stripe(FAKE_STRIPE_KEY);
  const post = async (url: string, payload: string, headers: Record<string, string>): Promise<Answer> => {
    const response = await app.inject({
      method: 'POST',
      url,
      payload,
      headers: { 'content-type': 'application/json', ...headers },
    });
    return { status: response.statusCode, body: response.body };
  };

  return {
    instance,
    telegram: (body) =>
      post('/webhooks/telegram', json(body), { 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET }),
    line: (body) => {
      const payload = json(body);
      return post('/webhooks/line', payload, { 'x-line-signature': lineSignature(payload) });
    },
    stripe: (body) => {
      const payload = json(body);
      const signature = stripeSdk.webhooks.generateTestHeaderString({
        payload,
        secret: FAKE_STRIPE_WEBHOOK_SECRET,
      });
      return post('/webhooks/stripe', payload, { 'stripe-signature': signature });
    },
    signIn: (body) => post('/console/api/sign-in', json(body), anonymous),
    audit: async (query) => {
      // URLSearchParams writes what a browser would (a lone surrogate becomes U+FFFD).
      const response = await app.inject({
        method: 'GET',
        url: `/console/api/audit?${new URLSearchParams(query).toString()}`,
        headers: { cookie: admin.cookie },
      });
      return { status: response.statusCode, body: response.body };
    },
    intakeAction: (action, body) => post(`/console/api/intakes/${randomUUID()}/${action}`, json(body), nurse),
    chat: (body) => post('/chat/api/messages', json(body), { cookie: chatCookie }),
    chatSession,
    async snapshot() {
      const parts: string[] = [];
      const tables = await database.prisma.$queryRawUnsafe<{ name: string }[]>(
        `SELECT table_name::text AS name FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
      );
      for (const { name } of tables) {
        const [row] = await database.prisma.$queryRawUnsafe<{ rows: string }[]>(
          `SELECT count(*)::text || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS rows
             FROM "${name}" t`,
        );
        parts.push(`${name} ${row?.rows}`);
      }
      const keys: string[] = [];
      for await (const page of kv.scanKeys('')) keys.push(...page);
      for (const key of keys.sort()) {
        // Lists (mailboxes) have no single value; their key alone shows they exist.
        const value = await kv.get(key).catch(() => '(list)');
        parts.push(`kv ${key} ${value ?? ''}`);
      }
      return parts.join('\n');
    },
    errorLogs() {
      return instance.logs
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => /"level":(50|60)/.test(line));
    },
    async stop() {
      await instance.stop();
      await telegramFake.stop();
      await lineFake.stop();
      await stripeFake.stop();
    },
  };
}
