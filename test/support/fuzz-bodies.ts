// Generated bad bodies for every route that takes input from outside, shared by the fuzz test
// (a bounded run inside npm test) and `npm run bench` (a longer one). Each body is either any
// JSON at all or a real-looking body with one field we read spoiled: wrong type, null, gone
// when required, an id with NUL, a lone surrogate or a control character, nested thousands
// deep. None of them may be acted on: the answer is a 4xx (or a 200 that ignores the body), and
// nothing is stored.
import fc from 'fast-check';
import { isSafeLine } from '../../src/domain/text.ts';
import { RawBody } from './edge.ts';

// --- characters that broke us before: NUL and other controls, lone surrogates ---
const control = fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code));
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const anyChar = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), control, loneSurrogate);
/** Any string, often with controls and lone surrogates. */
export const nastyString = fc.string({ unit: anyChar, maxLength: 40 });
/** A string that is certainly not an identifier we accept: it holds a control, a lone surrogate, a space. */
const badIdString = fc
  .tuple(
    fc.string({ maxLength: 10 }),
    fc.oneof(control, loneSurrogate, fc.constant(' '), fc.constant('\u00e9')),
  )
  .map(([text, bad]) => `${text}${bad}${text}`);
/** A string with a control character other than tab and newline, where none may be. */
const controlString = fc
  .tuple(
    fc.string({ maxLength: 10 }),
    fc.integer({ min: 0, max: 0x1f }).filter((code) => code !== 9 && code !== 10),
  )
  .map(([text, code]) => `${text}${String.fromCharCode(code)}${text}`);

/** Placeholder replaced, in the JSON text, by an array nested `depth` deep. */
// Mostly hundreds deep, now and then the 20,000 a fuzz run once sent (each costs 40 kB of JSON).
const deep = fc
  .oneof({ arbitrary: fc.integer({ min: 50, max: 1000 }), weight: 9 }, fc.constantFrom(5000, 20_000))
  .map((depth) => `__DEEP_${depth}__`);

const nonObject = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  nastyString,
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  deep,
);
const nonString = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.array(nastyString, { maxLength: 3 }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 2 }),
  deep,
);
const nonInteger = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  fc.constantFrom(1e300, -1e300, 2 ** 60),
  nastyString,
  fc.array(fc.integer(), { maxLength: 3 }),
  deep,
);
/** Not a coordinate: not a number, or far outside any map. */
const nonCoordinate = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(1e300, -1e300, 1000, -1000),
  nastyString,
  fc.array(fc.double(), { maxLength: 2 }),
  deep,
);
const badId = fc.oneof(nonString, badIdString, fc.constant(''), fc.constant('x'.repeat(300)));

type Bad =
  | 'object'
  | 'string'
  | 'integer'
  | 'id'
  | 'required-object'
  | 'required-string'
  | 'required-integer'
  | 'required-coordinate'
  | 'non-null-object';
const MISSING = Symbol('missing');
const badValue: Record<Bad, fc.Arbitrary<unknown>> = {
  object: nonObject,
  string: nonString,
  integer: nonInteger,
  id: badId,
  'required-object': fc.oneof(nonObject, fc.constant(MISSING)),
  'required-string': fc.oneof(nonString, fc.constant(MISSING)),
  'required-integer': fc.oneof(nonInteger, fc.constant(MISSING)),
  'required-coordinate': fc.oneof(nonCoordinate, fc.constant(MISSING)),
  'non-null-object': nonObject.filter((value) => value !== null),
};

/** `skeleton` with the field at `path` set to a value of the wrong kind `bad` (or removed). */
function spoil(skeleton: unknown, targets: [string, Bad][]): fc.Arbitrary<unknown> {
  return fc
    .constantFrom(...targets)
    .chain(([path, bad]) => badValue[bad].map((value) => ({ path, value })))
    .map(({ path, value }) => {
      const body = structuredClone(skeleton) as Record<string, unknown>;
      const keys = path.split('.');
      let at: Record<string, unknown> = body;
      for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
      const last = keys.at(-1)!;
      if (value === MISSING) delete at[last];
      else at[last] = value;
      return body;
    });
}

/** The body as JSON text, with deep-nesting placeholders expanded. */
export function bodyText(body: unknown): string {
  const text = JSON.stringify(body) ?? 'null';
  return text.replace(/"__DEEP_(\d+)__"/g, (_all, depth: string) => {
    const n = Number(depth);
    return '['.repeat(n) + ']'.repeat(n);
  });
}
const asRaw = (arbitrary: fc.Arbitrary<unknown>) => arbitrary.map((body) => new RawBody(bodyText(body)));
/** Any JSON value, or a real-looking body with one field spoiled, as the text sent. */
const bodies = (...spoiled: fc.Arbitrary<unknown>[]) =>
  asRaw(
    fc.oneof(
      { arbitrary: fc.jsonValue({ maxDepth: 4 }), weight: 1 },
      ...spoiled.map((arbitrary) => ({ arbitrary, weight: 3 })),
    ),
  );

// --- Telegram ---
const tgUser = { id: 7001, is_bot: false, first_name: 'Lan', language_code: 'en' };
const tgChat = { id: 7001, type: 'private', first_name: 'Lan' };
const tgText = {
  update_id: 10,
  message: { message_id: 1, date: 1_760_000_000, chat: tgChat, from: tgUser, text: 'hi' },
};
const tgButton = {
  update_id: 11,
  callback_query: {
    id: 'cbq-1',
    from: tgUser,
    chat_instance: 'c',
    data: 'menu|help',
    message: { message_id: 1, date: 1, chat: tgChat },
  },
};
const tgMember = {
  update_id: 12,
  my_chat_member: {
    chat: tgChat,
    from: tgUser,
    date: 1,
    old_chat_member: { status: 'left' },
    new_chat_member: { status: 'member' },
  },
};
const tgEdited = {
  update_id: 13,
  edited_message: { message_id: 1, date: 1, chat: tgChat, from: tgUser, text: 'hi' },
};
const tgContact = {
  update_id: 14,
  message: { ...tgText.message, text: undefined, contact: { phone_number: '+84912345678', user_id: 7001 } },
};
const tgLocation = {
  update_id: 15,
  message: { ...tgText.message, text: undefined, location: { latitude: 10.7, longitude: 106.6 } },
};
const messageFields: [string, Bad][] = [
  ['message', 'object'],
  ['message.chat', 'required-object'],
  ['message.chat.id', 'required-integer'],
  ['message.chat.type', 'required-string'],
  ['message.date', 'required-integer'],
  ['message.from', 'object'],
  ['message.from.id', 'required-integer'],
  ['message.from.language_code', 'string'],
];
export const telegramBodies = bodies(
  spoil(tgText, [['update_id', 'required-integer'], ...messageFields, ['message.text', 'string']]),
  spoil(tgContact, [
    ['message.contact', 'object'],
    ['message.contact.phone_number', 'required-string'],
    ['message.contact.user_id', 'integer'],
  ]),
  spoil(tgLocation, [
    ['message.location', 'object'],
    ['message.location.latitude', 'required-coordinate'],
    ['message.location.longitude', 'required-coordinate'],
  ]),
  spoil(tgButton, [
    ['callback_query', 'object'],
    ['callback_query.id', 'id'],
    ['callback_query.from', 'required-object'],
    ['callback_query.from.id', 'required-integer'],
    ['callback_query.from.language_code', 'string'],
    ['callback_query.data', 'string'],
    ['callback_query.message', 'object'],
    ['callback_query.message.chat', 'required-object'],
    ['callback_query.message.chat.id', 'required-integer'],
  ]),
  spoil(tgMember, [
    ['my_chat_member', 'object'],
    ['my_chat_member.chat', 'required-object'],
    ['my_chat_member.from', 'required-object'],
    ['my_chat_member.date', 'required-integer'],
    ['my_chat_member.new_chat_member', 'required-object'],
    ['my_chat_member.new_chat_member.status', 'required-string'],
  ]),
  spoil(tgEdited, [
    ['edited_message', 'object'],
    ['edited_message.chat', 'required-object'],
    ['edited_message.chat.id', 'required-integer'],
    ['edited_message.date', 'required-integer'],
  ]),
);

// --- LINE ---
const lineSource = { type: 'user', userId: 'U0123456789abcdef0123456789abcdef' };
const lineBase = {
  webhookEventId: '01HFUZZ0000000000000000001',
  timestamp: 1_760_000_000_000,
  mode: 'active',
  source: lineSource,
  replyToken: 'rt-1',
};
const lineTextEvent = { type: 'message', ...lineBase, message: { id: 'm1', type: 'text', text: 'hi' } };
const lineLocationEvent = {
  type: 'message',
  ...lineBase,
  message: { id: 'm2', type: 'location', latitude: 13.7, longitude: 100.5, address: 'Bangkok' },
};
const linePostbackEvent = { type: 'postback', ...lineBase, postback: { data: 'menu|help' } };
const lineFollowEvent = { type: 'follow', ...lineBase };
const eventFields: [string, Bad][] = [
  ['events.1', 'object'],
  ['events.1.type', 'required-string'],
  ['events.1.webhookEventId', 'id'],
  ['events.1.webhookEventId', 'required-string'],
  ['events.1.timestamp', 'required-integer'],
  ['events.1.source', 'object'],
  ['events.1.source.type', 'required-string'],
  ['events.1.source.userId', 'id'],
  ['events.1.replyToken', 'id'],
];
/** A valid event first (it must not be accepted either: one bad event refuses the call). */
const lineCall = (event: object) => ({ destination: 'Ubot', events: [lineFollowEvent, event] });
export const lineBodies = bodies(
  spoil(lineCall(lineTextEvent), [
    ['events', 'object'],
    ...eventFields,
    ['events.1.message', 'required-object'],
    ['events.1.message.type', 'required-string'],
    ['events.1.message.text', 'required-string'],
  ]),
  spoil(lineCall(lineLocationEvent), [
    ['events.1.message.latitude', 'required-coordinate'],
    ['events.1.message.longitude', 'required-coordinate'],
    ['events.1.message.address', 'string'],
  ]),
  spoil(lineCall(linePostbackEvent), [
    ...eventFields,
    ['events.1.postback', 'required-object'],
    ['events.1.postback.data', 'required-string'],
  ]),
);

// --- Stripe ---
const stripeEvent = (type: string, object: object) => ({
  id: 'evt_fuzz_1',
  object: 'event',
  api_version: '2025-01-01',
  created: 1_760_000_000,
  livemode: false,
  type,
  data: { object },
});
const stripeFields: [string, Bad][] = [
  ['id', 'id'],
  ['id', 'required-string'],
  ['type', 'required-string'],
  ['data', 'required-object'],
  ['data.object', 'required-object'],
];
export const stripeBodies = bodies(
  spoil(stripeEvent('checkout.session.completed', { id: 'cs_test_1', object: 'checkout.session' }), [
    ...stripeFields,
    ['data.object.id', 'id'],
    ['data.object.id', 'required-string'],
  ]),
  spoil(stripeEvent('checkout.session.expired', { id: 'cs_test_2', object: 'checkout.session' }), [
    ...stripeFields,
    ['data.object.id', 'id'],
  ]),
  spoil(
    stripeEvent('payment_intent.payment_failed', {
      id: 'pi_1',
      metadata: { paymentId: '00000000-0000-4000-8000-000000000001' },
    }),
    [...stripeFields, ['data.object.id', 'id'], ['data.object.metadata', 'non-null-object']],
  ),
  spoil(
    stripeEvent('charge.refunded', {
      id: 'ch_1',
      payment_intent: 'pi_1',
      amount_refunded: 100,
      metadata: {},
    }),
    [
      ...stripeFields,
      ['data.object.payment_intent', 'id'],
      ['data.object.amount_refunded', 'required-integer'],
      ['data.object.metadata', 'non-null-object'],
    ],
  ),
);

// --- console ---
const tooLong = (n: number) => fc.string({ minLength: n + 1, maxLength: n + 20 });
export const signInBodies = bodies(
  spoil({ email: 'nurse@edge.test', password: 'x' }, [
    ['email', 'required-string'],
    ['password', 'required-string'],
  ]),
  fc.record({
    email: fc.oneof(
      controlString,
      badIdString.filter((s) => !isSafeLine(s)),
      tooLong(254),
      fc.constant('ab'),
    ),
    password: fc.string({ maxLength: 5 }),
  }),
  fc.record({ email: fc.constant('nurse@edge.test'), password: fc.oneof(fc.constant(''), tooLong(1024)) }),
  fc.record({ email: fc.constant('nurse@edge.test'), password: fc.constant('x'), extra: fc.jsonValue() }),
);

/** Audit queries with at least one parameter that cannot be right. */
export const auditQueries: fc.Arbitrary<Record<string, string>> = fc.oneof(
  fc.record({
    before: fc.oneof(
      fc.bigInt({ min: 9_223_372_036_854_775_808n, max: 10n ** 19n - 1n }).map(String),
      fc.string({ minLength: 20, maxLength: 30, unit: fc.constantFrom(...'0123456789') }),
      nastyString.filter((s) => !/^\d{1,19}$/.test(s)),
    ),
  }),
  fc.record({ subject: fc.oneof(controlString, tooLong(254)) }, { requiredKeys: ['subject'] }),
  fc.dictionary(
    fc.string({ minLength: 1, maxLength: 8 }).filter((key) => !['before', 'subject'].includes(key)),
    fc.string({ maxLength: 8 }),
    { minKeys: 1, maxKeys: 3 },
  ),
);

/** Bodies for the intake actions: any JSON, or the action's fields of the wrong kind. */
export const intakeBodies = {
  acuity: bodies(
    spoil({ acuity: 3, reason: 'confirmed' }, [
      ['acuity', 'required-integer'],
      ['reason', 'string'],
    ]),
    fc.record({ acuity: fc.integer().filter((n) => n < 1 || n > 5) }),
  ),
  route: bodies(
    spoil({ department: 'neurology' }, [['department', 'required-string']]),
    fc.record({ department: nastyString }),
  ),
  messages: bodies(
    spoil({ text: 'Please come in' }, [['text', 'required-string']]),
    spoil({ template: 'call-us' }, [['template', 'required-string']]),
    fc.record({ text: fc.string({ unit: control, minLength: 1, maxLength: 5 }) }),
  ),
  'approve-appointment': bodies(
    spoil({ appointmentId: 'appt-1' }, [
      ['appointmentId', 'id'],
      ['appointmentId', 'required-string'],
    ]),
  ),
};

/** An intake action and a body for it, the four actions taking turns. */
export const intakeActionBodies = fc.oneof(
  ...(Object.keys(intakeBodies) as (keyof typeof intakeBodies)[]).map((action) =>
    intakeBodies[action].map((body) => ({ action, body })),
  ),
);

/** Web chat messages, each spoiled: none may reach the conversation. */
export const chatBodies = bodies(
  spoil({ id: '0123456789abcdef0123', text: 'hello' }, [
    ['id', 'id'],
    ['id', 'required-string'],
    ['text', 'required-string'],
  ]),
  spoil({ id: '0123456789abcdef0124', button: 'menu|help', label: 'Help' }, [
    ['id', 'id'],
    ['button', 'required-string'],
    ['label', 'string'],
  ]),
  fc.record({
    id: fc.constant('0123456789abcdef0125'),
    text: fc.string({ unit: control, minLength: 1, maxLength: 5 }),
  }),
  fc.record({ id: fc.constant('0123456789abcdef0126'), text: fc.constant('a'), button: fc.constant('b') }),
);
