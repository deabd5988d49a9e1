// POST /webhooks/telegram: the secret token header is verified before the body is read, then
// the normalised event goes to the engine and the update is acknowledged.
import type { FastifyInstance } from 'fastify';
import { errors } from '../../server/errors.ts';
import { registerSignedWebhook } from '../../server/signed-webhook.ts';
import type { ChannelInbox } from '../channel.ts';
import { normaliseTelegramUpdate } from './normalise.ts';

export async function registerTelegramWebhook(
  app: FastifyInstance,
  inbox: ChannelInbox,
  secret: string,
): Promise<void> {
  await registerSignedWebhook(app, {
    path: '/webhooks/telegram',
    proof: { kind: 'secret', header: 'x-telegram-bot-api-secret-token', secret },
    refusal: () => errors.badSignature('bad or missing secret token'),
    schema: {
      body: { type: 'object', required: ['update_id'], properties: { update_id: { type: 'integer' } } },
    },
    handle: async (body, _request, reply) => {
      // A body whose fields we read are missing or mistyped is a 400 before the engine sees it.
      const event = normaliseTelegramUpdate(body);
      const result = event ? await inbox.accept(event) : 'ignored';
      return reply.code(200).send({ ok: true, result });
    },
  });
}
