// POST /webhooks/telegram: verify the secret token header before looking at the body, then
// hand the normalised event to the engine and acknowledge.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ConversationEngine } from '../../conversation/engine.ts';
import { errors } from '../../server/errors.ts';
import { normaliseTelegramUpdate } from './normalise.ts';

/** Constant-time comparison of two secrets of possibly different length. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function registerTelegramWebhook(
  app: FastifyInstance,
  engine: ConversationEngine,
  secret: string,
): void {
  app.post(
    '/webhooks/telegram',
    {
      // Checked before the body is parsed: an unauthenticated request costs us nothing.
      onRequest: async (request) => {
        const given = request.headers['x-telegram-bot-api-secret-token'];
        if (!sameSecret(typeof given === 'string' ? given : undefined, secret))
          throw errors.unauthorized('bad or missing secret token');
      },
      schema: {
        body: { type: 'object', required: ['update_id'], properties: { update_id: { type: 'integer' } } },
      },
    },
    async (request, reply) => {
      // A body whose fields we read are missing or mistyped is a 400 before the engine sees it.
      const event = normaliseTelegramUpdate(request.body);
      const result = event ? await engine.accept(event) : 'ignored';
      return reply.code(200).send({ ok: true, result });
    },
  );
}
