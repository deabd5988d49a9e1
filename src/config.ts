// Typed settings from the environment. Every public setting of PRODUCT.md is read here and
// nowhere else; a bad value stops start-up with one line naming the variable.
import { isIP } from 'node:net';
import { z } from 'zod';
import {
  chargesAnything,
  CURRENCY_OF_COUNTRY,
  DEFAULT_REFUND_POLICY,
  DEMO_FEE,
  parseFees,
  parseRefundPolicy,
  toMinorUnits,
  type FeeTable,
  type RefundRule,
} from './domain/payments.ts';
import {
  DEFAULT_DEPARTMENT_RULES,
  parseCheckInWindow,
  parseDepartmentRules,
  parseNotifyAhead,
  parsePushBudgets,
} from './domain/queue-rules.ts';
import { DEPARTMENTS } from './domain/triage.ts';

/** Raised when a setting is missing or malformed; its message is the one line we print. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    expected: string,
  ) {
    super(`Invalid setting ${variable}: ${expected}`);
    this.name = 'ConfigError';
  }
}

const urlWithProtocols = (protocols: string[], what: string) =>
  z.string().refine((raw) => {
    try {
      return protocols.includes(new URL(raw).protocol);
    } catch {
      return false;
    }
  }, `expected ${what}`);

const httpUrl = urlWithProtocols(['http:', 'https:'], 'an http:// or https:// URL');

const optionalSecret = (pattern: RegExp, what: string) =>
  z.string().regex(pattern, `expected ${what}`).optional();

/** The key format of @47ng/cloak: version, algorithm, 32 bytes in base64. */
const CLOAK_KEY = /^k1\.aesgcm256\.[\w+/-]{43}=$/;
const CLOAK_KEY_HINT = 'a key like k1.aesgcm256.<44 base64 characters> (npm run keys:generate)';

const wholeNumber = (what: string) =>
  z
    .string()
    .regex(/^[1-9]\d{0,5}$/, `expected ${what}`)
    .transform(Number);

const schema = z.object({
  PORT: z
    .string()
    .regex(/^\d{1,5}$/, 'expected a port number from 0 to 65535')
    .transform(Number)
    .refine((port) => port <= 65535, 'expected a port number from 0 to 65535')
    .default(3000),
  // Loopback unless told otherwise: a laptop demo is not on the ward's network. The Docker
  // image sets HOST=0.0.0.0.
  HOST: z.string().default('127.0.0.1'),
  // Which proxies may tell us the client's address in X-Forwarded-For (audit rows, sign-in
  // throttling, /metrics from loopback). Off: the address is the TCP peer's.
  TRUST_PROXY: z
    .string()
    .refine(
      (raw) => parseTrustProxy(raw) !== undefined,
      'expected true, false, a number of proxy hops, or comma-separated addresses or CIDR ranges (or loopback, linklocal, uniquelocal)',
    )
    .transform((raw) => parseTrustProxy(raw)!)
    .default(false),
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:'], 'a postgresql:// URL').optional(),
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:'], 'a redis:// or rediss:// URL').optional(),
  // Lets several deployments (or a benchmark) share one Redis without seeing each other's keys.
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w-]{1,32}$/, 'expected 1-32 characters of A-Z, a-z, 0-9, _ or -')
    .default('fd'),
  TELEGRAM_BOT_TOKEN: optionalSecret(/^\d+:[\w-]{20,}$/, 'a bot token like 123456:ABC-DEF… from @BotFather'),
  TELEGRAM_API_ROOT: httpUrl.default('https://api.telegram.org'),
  TELEGRAM_MODE: z
    .enum(['webhook', 'polling'], { error: 'expected "webhook" or "polling"' })
    .default('webhook'),
  // Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and - for the secret_token.
  TELEGRAM_WEBHOOK_SECRET: optionalSecret(/^[\w-]{1,256}$/, '1-256 characters of A-Z, a-z, 0-9, _ or -'),
  // Telegram allows about 30 messages a second per bot; raise only with a paid broadcast
  // allowance or against a local Bot API server.
  TELEGRAM_MAX_PER_SECOND: wholeNumber('a whole number of messages per second, at least 1').default(30),
  // Hospital broadcasts' share of the bot's messages a second (on the same bot-wide count as the
  // conversations). Above 30 each broadcast message is sent as a paid broadcast
  // (allow_paid_broadcast, billed in Telegram Stars, up to 1000/s).
  TELEGRAM_BROADCAST_RATE: wholeNumber('a whole number of messages per second, at least 1').default(30),
  LINE_CHANNEL_SECRET: optionalSecret(/^\S{8,}$/, 'the channel secret from the LINE Developers console'),
  LINE_CHANNEL_ACCESS_TOKEN: optionalSecret(/^\S{8,}$/, 'a channel access token'),
  LINE_API_BASE_URL: httpUrl.default('https://api.line.me'),
  // Multicast requests a second (each up to 500 recipients); LINE's documented limit is 200/s.
  LINE_MULTICAST_RATE: wholeNumber('a whole number of requests per second, at least 1').default(200),
  STRIPE_SECRET_KEY: optionalSecret(
    /^(sk|rk)_(test|live)_\w+$/,
    'a Stripe secret key (sk_test_… or sk_live_…)',
  ),
  STRIPE_WEBHOOK_SECRET: optionalSecret(/^whsec_\w+$/, 'a webhook signing secret (whsec_…)'),
  STRIPE_API_BASE_URL: httpUrl.default('https://api.stripe.com'),
  HOSPITAL_FHIR_BASE_URL: httpUrl.optional(),
  PUBLIC_BASE_URL: httpUrl.optional(),
  HOSPITAL_NAME: z
    .string()
    .max(100, 'expected a name of at most 100 characters')
    .default('Frontdoor Demo Hospital'),
  // Where a patient who declines the chat can reach the hospital instead.
  HOSPITAL_PHONE: z.string().min(3).max(40).default('+84 24 3869 3731'),
  HOSPITAL_ADDRESS: z.string().min(3).max(200).default('78 Giải Phóng, Đống Đa, Hà Nội'),
  // Drives phone validation and the emergency number until a patient's own country is known.
  HOSPITAL_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code such as VN')
    .default('VN'),
  // Opening hours, slot times and the times patients read are in this zone.
  HOSPITAL_TIME_ZONE: z
    .string()
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'expected an IANA time zone such as Asia/Ho_Chi_Minh')
    .optional(),
  EMERGENCY_NUMBERS: z
    .string()
    .regex(/^([A-Z]{2}=[\d/]+)(,[A-Z]{2}=[\d/]+)*$/, 'expected COUNTRY=NUMBER pairs such as VN=115,FR=15/112')
    .default('VN=115,CN=120,TH=1669,JP=119,FR=15/112,US=911,GB=999')
    .transform((raw) =>
      Object.fromEntries(raw.split(',').map((pair) => pair.split('=') as [string, string])),
    ),
  // Signs the web chat cookie; instances behind one load balancer must share it.
  SESSION_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  // Health data is encrypted field by field (AES-256-GCM). The current key encrypts; keys
  // listed in FIELD_DECRYPTION_KEYS still decrypt, so keys can rotate without re-encrypting.
  FIELD_ENCRYPTION_KEY: z.string().regex(CLOAK_KEY, `expected ${CLOAK_KEY_HINT}`).optional(),
  FIELD_DECRYPTION_KEYS: z
    .string()
    .refine(
      (raw) => raw.split(',').every((key) => CLOAK_KEY.test(key.trim())),
      `expected comma-separated keys, each ${CLOAK_KEY_HINT}`,
    )
    .transform((raw) => raw.split(',').map((key) => key.trim()))
    .optional(),
  // How long a chosen slot is kept for the patient while they confirm (and, later, pay).
  BOOKING_HOLD_MINUTES: wholeNumber('a whole number of minutes, at least 1').default(10),
  // Stripe lets a Checkout session live 30 minutes to 24 hours; the slot is held as long.
  PAYMENT_HOLD_MINUTES: wholeNumber('a whole number of minutes from 30 to 1440')
    .refine(
      (minutes) => minutes >= 30 && minutes <= 1440,
      'expected a whole number of minutes from 30 to 1440',
    )
    .default(30),
  HOSPITAL_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as VND')
    .optional(),
  // Amounts in the hospital's currency per department, "*" for the rest; 0 means free.
  CONSULTATION_FEES: z.string().optional(),
  REFUND_POLICY: z.string().optional(),
  NODE_ENV: z.string().optional(),
  // Lets a Prometheus server that is not on loopback read GET /metrics (Authorization: Bearer).
  METRICS_TOKEN: optionalSecret(/^[\x21-\x7e]{16,}$/, 'at least 16 printable characters without spaces'),
  // Failed sign-ins (per account and per client address) before each further attempt waits
  // 1 s, 2 s, 4 s …; the wait never grows beyond STAFF_LOCKOUT_MINUTES.
  STAFF_MAX_FAILED_LOGINS: wholeNumber('a whole number of failed sign-ins, at least 1').default(5),
  STAFF_LOCKOUT_MINUTES: wholeNumber('a whole number of minutes, at least 1').default(15),
  // Hospital API calls per minute for each API key (and for each client address without a
  // live key), answered 429 with Retry-After beyond it.
  API_RATE_LIMIT: wholeNumber('a whole number of requests per minute, at least 1').default(120),
  // Check-in and the queue (see README, "Check-in and the queue").
  CHECKIN_WINDOW_MINUTES: z
    .string()
    .refine(
      (raw) => parseCheckInWindow(raw) !== undefined,
      'expected minutes before,after the appointment start such as 60,15',
    )
    .transform((raw) => parseCheckInWindow(raw)!)
    .default({ beforeMinutes: 60, afterMinutes: 15 }),
  QUEUE_NOTIFY_AHEAD: z
    .string()
    .refine(
      (raw) => parseNotifyAhead(raw) !== undefined,
      'expected comma-separated positions of at least 1 such as 5,2',
    )
    .transform((raw) => parseNotifyAhead(raw)!)
    .default([5, 2]),
  QUEUE_MAX_RECALLS: z
    .string()
    .regex(/^\d$/, 'expected a whole number of recalls from 0 to 9')
    .transform(Number)
    .default(2),
  QUEUE_DEPARTMENTS: z
    .string()
    .refine(
      (raw) => parseDepartmentRules(raw) !== undefined,
      `expected DEPARTMENT=PREFIX pairs, +walk-in where walk-ins are taken, prefixes unique, such as cardiology=B,general_medicine=A+walk-in (departments: ${DEPARTMENTS.join(', ')})`,
    )
    .transform((raw) => parseDepartmentRules(raw)!)
    .default(DEFAULT_DEPARTMENT_RULES),
  QUEUE_GRACE_MINUTES: z
    .string()
    .regex(/^\d{1,3}$/, 'expected a whole number of minutes from 0 to 999')
    .transform(Number)
    .default(10),
  QUEUE_SERVICE_MINUTES: wholeNumber('a whole number of minutes, at least 1').default(5),
  QUEUE_WALK_IN_EVERY: wholeNumber('a whole number of appointment tickets, at least 1').default(3),
  CHANNEL_PUSH_BUDGETS: z
    .string()
    .refine(
      (raw) => parsePushBudgets(raw) !== undefined,
      'expected CHANNEL=PUSHES a month pairs such as line=500',
    )
    .transform((raw) => parsePushBudgets(raw)!)
    .default({}),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  DATA_DIR: z.string().default('.data'),
});

type RawSettings = z.infer<typeof schema>;

/** The validated settings the composition root builds everything from. */
export interface Config extends Omit<
  RawSettings,
  'PUBLIC_BASE_URL' | 'HOSPITAL_TIME_ZONE' | 'HOSPITAL_CURRENCY' | 'CONSULTATION_FEES' | 'REFUND_POLICY'
> {
  PUBLIC_BASE_URL: string;
  HOSPITAL_TIME_ZONE: string;
  HOSPITAL_CURRENCY: string;
  CONSULTATION_FEES: FeeTable;
  REFUND_POLICY: RefundRule[];
}

/** The usual zone of a country's hospitals, when HOSPITAL_TIME_ZONE is not set. */
const TIME_ZONE_OF_COUNTRY: Record<string, string> = {
  VN: 'Asia/Ho_Chi_Minh',
  TH: 'Asia/Bangkok',
  CN: 'Asia/Shanghai',
  JP: 'Asia/Tokyo',
  FR: 'Europe/Paris',
  GB: 'Europe/London',
  US: 'America/New_York',
};

/** Reads and validates the settings; throws ConfigError naming the first bad variable. */
/**
 * Whether NODE_ENV asks for production. The one test of it: " Production" from a hand-edited
 * env file must not quietly start a demo (demo accounts, a generated key, test payments).
 */
export function isProduction(settings: { NODE_ENV?: string | undefined }): boolean {
  return settings.NODE_ENV?.trim().toLowerCase() === 'production';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means unset, as in most deployment tools' env files.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(variable, issue?.message ?? 'invalid value');
  }
  const settings = parsed.data;
  requireTogether(settings, ['LINE_CHANNEL_SECRET', 'LINE_CHANNEL_ACCESS_TOKEN']);
  requireTogether(settings, ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']);
  if (
    settings.TELEGRAM_BOT_TOKEN &&
    settings.TELEGRAM_MODE === 'webhook' &&
    !settings.TELEGRAM_WEBHOOK_SECRET
  ) {
    // Without the secret anyone who finds the URL could post fake updates.
    throw new ConfigError(
      'TELEGRAM_WEBHOOK_SECRET',
      'required when TELEGRAM_BOT_TOKEN is set and TELEGRAM_MODE=webhook',
    );
  }
  if (isProduction(settings) && !settings.FIELD_ENCRYPTION_KEY) {
    // A key generated into DATA_DIR would sit next to the data it protects.
    throw new ConfigError('FIELD_ENCRYPTION_KEY', `required when NODE_ENV=production: ${CLOAK_KEY_HINT}`);
  }
  if (settings.DATABASE_URL && !settings.FIELD_ENCRYPTION_KEY) {
    // A key made up per instance would leave the other instances unable to read the data.
    throw new ConfigError('FIELD_ENCRYPTION_KEY', `required when DATABASE_URL is set: ${CLOAK_KEY_HINT}`);
  }
  const publicBase = settings.PUBLIC_BASE_URL ?? `http://localhost:${settings.PORT}`;
  const timeZone = settings.HOSPITAL_TIME_ZONE ?? TIME_ZONE_OF_COUNTRY[settings.HOSPITAL_COUNTRY];
  if (!timeZone) {
    throw new ConfigError('HOSPITAL_TIME_ZONE', `required for HOSPITAL_COUNTRY=${settings.HOSPITAL_COUNTRY}`);
  }
  const currency = settings.HOSPITAL_CURRENCY ?? CURRENCY_OF_COUNTRY[settings.HOSPITAL_COUNTRY] ?? 'USD';
  const fees = settings.CONSULTATION_FEES
    ? parseFees(settings.CONSULTATION_FEES, currency, DEPARTMENTS)
    : { currency, byDepartment: {}, otherwise: toMinorUnits(DEMO_FEE[currency] ?? 0, currency) };
  if (!fees) {
    throw new ConfigError(
      'CONSULTATION_FEES',
      `expected DEPARTMENT=AMOUNT pairs in ${currency} such as cardiology=500000,*=200000 (departments: ${DEPARTMENTS.join(', ')})`,
    );
  }
  if (isProduction(settings) && chargesAnything(fees) && !settings.STRIPE_SECRET_KEY) {
    // The local test-payment page would book without anyone paying.
    throw new ConfigError(
      'STRIPE_SECRET_KEY',
      'required when NODE_ENV=production and consultations have a fee (CONSULTATION_FEES=0 makes them free)',
    );
  }
  const refundPolicy = settings.REFUND_POLICY
    ? parseRefundPolicy(settings.REFUND_POLICY)
    : DEFAULT_REFUND_POLICY;
  if (!refundPolicy) {
    throw new ConfigError('REFUND_POLICY', 'expected HOURS=PERCENT pairs such as 24=100,2=50');
  }
  return {
    ...settings,
    PUBLIC_BASE_URL: publicBase.replace(/\/+$/, ''),
    HOSPITAL_TIME_ZONE: timeZone,
    HOSPITAL_CURRENCY: currency,
    CONSULTATION_FEES: fees,
    REFUND_POLICY: refundPolicy,
  };
}

/** What Fastify's trustProxy accepts: true/false, a hop count, or addresses and CIDR ranges. */
function parseTrustProxy(raw: string): boolean | number | string[] | undefined {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^\d{1,3}$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim());
  return entries.every(isProxyAddress) ? entries : undefined;
}

/** An IP address, a CIDR range, or one of proxy-addr's names for the private ranges. */
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, extra] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

function requireTogether(settings: RawSettings, names: (keyof RawSettings)[]): void {
  const missing = names.filter((name) => !settings[name]);
  if (missing.length > 0 && missing.length < names.length) {
    const present = names.filter((name) => settings[name]).join(', ');
    throw new ConfigError(String(missing[0]), `required when ${present} is set`);
  }
}
