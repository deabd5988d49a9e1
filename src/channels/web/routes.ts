// The web chat channel: the page at /chat, the patient's messages in, the transcript out as
// server-sent events, and the privacy notice. The session is a random id in a signed,
// httpOnly cookie; JSON-only posts plus SameSite=Lax keep other sites from posting for it.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import type { i18n } from 'i18next';
import { DEFAULT_LOCALE, SUPPORTED_LOCALES, resolveLocale, type Locale } from '../../i18n/locales.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';
import { z } from 'zod';
import { errors } from '../../server/errors.ts';
import { cleanString, nonEmptyText, parseInput, safeId } from '../../server/validation.ts';
import { eventStreams } from '../../server/event-stream.ts';
import type { ChannelInbox } from '../channel.ts';
import { WebChatAbuseLimits, type WebChatLimits } from './abuse-limits.ts';
import type { WebChatLog } from './chat-log.ts';
import { chatPage, privacyPage, type ChatPageText } from './page.ts';

const COOKIE = 'fd_chat';
const SESSION_DAYS = 30;

export interface WebChatOptions {
  inbox: ChannelInbox;
  log: WebChatLog;
  kv: KeyValueStore;
  translator: i18n;
  hospitalName: string;
  consentVersion: string;
  secureCookies: boolean;
  /** Rate limits (tests lower them); defaults in abuse-limits.ts. */
  limits?: WebChatLimits;
}

/** The patient's language: ?lang=, else the browser's first preference we ship. */
function pageLocale(request: FastifyRequest): Locale {
  const query = request.query as { lang?: string };
  const fromQuery = resolveLocale(query.lang);
  if (fromQuery) return fromQuery;
  const accepted = (request.headers['accept-language'] ?? '').split(',').map((part) => part.split(';')[0]);
  for (const tag of accepted) {
    const locale = resolveLocale(tag);
    if (locale) return locale;
  }
  return DEFAULT_LOCALE;
}

function sessionOf(request: FastifyRequest): string | undefined {
  const raw = request.cookies[COOKIE];
  if (!raw) return undefined;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value ? unsigned.value : undefined;
}

function requireSession(request: FastifyRequest): string {
  const session = sessionOf(request);
  if (!session) throw errors.unauthorized('no chat session; open /chat first');
  return session;
}

const messageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: '^[0-9a-fA-F-]{16,64}$' },
    text: { type: 'string', minLength: 1, maxLength: 2000 },
    button: { type: 'string', minLength: 1, maxLength: 64 },
    label: { type: 'string', maxLength: 200 },
    lang: { type: 'string', maxLength: 16 },
  },
  oneOf: [{ required: ['text'] }, { required: ['button'] }],
} as const;

const postedMessage = z.object({
  id: safeId(64),
  text: nonEmptyText(2000).optional(),
  button: nonEmptyText(64).optional(),
  label: cleanString(200).optional(),
  lang: z.string().max(16).optional(),
});
type PostedMessage = z.output<typeof postedMessage>;

function chatPageText(options: WebChatOptions, locale: Locale): ChatPageText {
  const t = options.translator.getFixedT(locale, 'chat');
  return {
    title: t('webchat.title', { hospital: options.hospitalName }),
    placeholder: t('webchat.placeholder'),
    send: t('webchat.send'),
    connecting: t('webchat.connecting'),
    offline: t('webchat.offline'),
    you: t('webchat.you'),
    assistant: t('webchat.assistant'),
    shareUnsupported: t('webchat.shareLocationUnsupported'),
  };
}

/** Last-Event-ID as "<epoch>:<id>"; an id from another epoch counts as none. */
function resumeFrom(header: string | string[] | undefined, epoch: string): { last: number; reset: boolean } {
  const raw = typeof header === 'string' ? header : '';
  if (!raw) return { last: 0, reset: false };
  // A bare number comes from a page older than epochs: trusted as it is.
  if (!raw.includes(':')) return { last: Number(raw) || 0, reset: false };
  const [seen, id] = raw.split(':');
  if (seen !== epoch) return { last: 0, reset: true };
  return { last: Number(id) || 0, reset: false };
}

export function registerWebChat(app: FastifyInstance, options: WebChatOptions): void {
  const openStream = eventStreams(app);
  const limits = new WebChatAbuseLimits(options.kv, options.limits);
  const tooMany = (locale: Locale) => options.translator.getFixedT(locale, 'chat')('webchat.tooMany');
  const tooManyNewChats = (locale: Locale) =>
    options.translator.getFixedT(locale, 'chat')('webchat.tooManyNewChats');

  /**
   * The session's first API call counts it as a new chat from its address (once: a marker kept
   * as long as the session's transcript; a session that still has a transcript is not new).
   * Refused, it is not marked, so the same page may try again once the window has passed.
   */
  async function startSession(session: string, ip: string) {
    const marker = `websession:{web:${session}}`;
    const ttlMs = await options.log.retention(session);
    if (!(await options.kv.setIfAbsent(marker, '1', { ttlMs }))) return { allowed: true } as const;
    if (!(await options.log.isEmpty(session))) return { allowed: true } as const;
    const decision = await limits.newSession(ip);
    if (!decision.allowed) await options.kv.delete(marker);
    return decision;
  }

  /**
   * The conversation starts by itself the first time a page opens the session: the greeting
   * is the answer to a "follow", as when a LINE user adds the account. Once per transcript.
   */
  async function greetOnce(session: string, locale: Locale | undefined): Promise<void> {
    if (!(await options.log.isEmpty(session))) return;
    const epoch = await options.log.epoch(session);
    const ttlMs = await options.log.retention(session);
    if (!(await options.kv.setIfAbsent(`webgreet:{web:${session}}:${epoch}`, '1', { ttlMs }))) return;
    await options.inbox.accept({
      channel: 'web',
      channelUserId: session,
      dedupeKey: `web:greet:${session}:${epoch}`,
      dedupeTtlMs: ttlMs,
      sentAt: Date.now(),
      ...(locale ? { platformLocale: locale } : {}),
      content: { kind: 'follow' },
    });
  }

  app.get('/chat', async (request, reply) => {
    const locale = pageLocale(request);
    if (!sessionOf(request)) {
      const decision = await limits.pageLoad(request.ip);
      if (!decision.allowed) {
        const title = options.translator.getFixedT(locale, 'chat')('webchat.title', {
          hospital: options.hospitalName,
        });
        return reply
          .code(429)
          .header('retry-after', String(decision.retryAfterS))
          .type('text/html; charset=utf-8')
          .send(privacyPage(locale, title, tooManyNewChats(locale), ''));
      }
      reply.setCookie(COOKIE, randomUUID(), {
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secureCookies,
        path: '/chat',
        maxAge: SESSION_DAYS * 24 * 60 * 60,
      });
    }
    // Every language's page text, so the page can follow the conversation's language.
    const chrome = Object.fromEntries(
      SUPPORTED_LOCALES.map((each) => [each, chatPageText(options, each)]),
    ) as Record<Locale, ChatPageText>;
    const html = chatPage(locale, chrome);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });

  app.post('/chat/api/messages', { schema: { body: messageSchema } }, async (request, reply) => {
    const session = requireSession(request);
    // Typed by the JSON schema; the text cleaned (a control character in a name would
    // otherwise be stored and refused for good), and what is left must say something.
    // Parsed before the rate limit, so malformed bodies spend no one's budget.
    const body: PostedMessage = parseInput(postedMessage, request.body);
    const started = await startSession(session, request.ip);
    if (!started.allowed) {
      const locale = resolveLocale(body.lang) ?? pageLocale(request);
      throw errors.rateLimited(tooManyNewChats(locale), started.retryAfterS);
    }
    const decision = await limits.message(session, request.ip);
    if (!decision.allowed) {
      const locale = resolveLocale(body.lang) ?? pageLocale(request);
      throw errors.rateLimited(tooMany(locale), decision.retryAfterS);
    }
    const now = Date.now();
    // A session that never consented keeps no key longer than an hour (chat-log.ts).
    const retention = await options.log.retention(session);
    const echo = body.text ?? body.label ?? '';
    // The transcript shows what the patient sent once, however often the page retries.
    if (
      echo &&
      (await options.kv.setIfAbsent(`webecho:{web:${session}}:${body.id}`, '1', {
        ttlMs: Math.min(86_400_000, retention),
      }))
    ) {
      await options.log.append(session, 'patient', { text: echo }, now);
    }
    const result = await options.inbox.accept({
      channel: 'web',
      channelUserId: session,
      dedupeKey: `web:${body.id}`,
      dedupeTtlMs: retention,
      sentAt: now,
      platformLocale: resolveLocale(body.lang),
      content:
        body.text !== undefined
          ? { kind: 'text', text: body.text }
          : { kind: 'button', data: body.button ?? '' },
    });
    return reply.code(202).send({ status: result });
  });

  app.get('/chat/api/stream', async (request, reply) => {
    const session = requireSession(request);
    const started = await startSession(session, request.ip);
    if (!started.allowed) {
      // An EventSource cannot read a 429's body: the page is told on the open stream, which
      // neither greets nor follows the transcript (a reload tries again).
      const locale = resolveLocale((request.query as { lang?: string }).lang) ?? pageLocale(request);
      const refused = openStream(request, reply);
      refused.write(`event: refused\ndata: ${JSON.stringify({ message: tooManyNewChats(locale) })}\n\n`);
      return;
    }
    const stream = openStream(request, reply);
    const epoch = await options.log.epoch(session);
    const resume = resumeFrom(request.headers['last-event-id'], epoch);
    let last = resume.last;
    // The transcript the page holds is gone (a restart lost it): the page starts over.
    if (resume.reset) stream.write(`event: reset\ndata: {}\n\n`);
    let sending = Promise.resolve();
    const flush = () => {
      sending = sending
        .then(async () => {
          for (const entry of await options.log.since(session, last)) {
            stream.write(`id: ${epoch}:${entry.id}\nevent: entry\ndata: ${JSON.stringify(entry)}\n\n`);
            last = entry.id;
          }
        })
        .catch((error: unknown) => request.log.warn({ err: error }, 'chat stream update failed'));
    };
    const stop = await options.log.watch(session, flush);
    stream.onClose(() => void stop());
    flush();
    await greetOnce(session, resolveLocale((request.query as { lang?: string }).lang)).catch(
      (error: unknown) => request.log.warn({ err: error }, 'chat greeting failed'),
    );
  });

  app.get('/privacy', async (request, reply) => {
    const locale = pageLocale(request);
    const t = options.translator.getFixedT(locale, 'chat');
    const html = privacyPage(
      locale,
      t('privacy.title'),
      t('privacy.body', { hospital: options.hospitalName }),
      t('privacy.version', { version: options.consentVersion }),
    );
    return reply.type('text/html; charset=utf-8').send(html);
  });
}
