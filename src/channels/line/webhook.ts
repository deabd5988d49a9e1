// POST /webhooks/line: the signature (base64 HMAC-SHA256 of the raw body with the channel
// secret) is checked before the body is parsed, then every event goes to the engine.
import type { FastifyInstance } from 'fastify';
import { errors } from '../../server/errors.ts';
import { registerSignedWebhook } from '../../server/signed-webhook.ts';
import type { ChannelInbox } from '../channel.ts';
import { normaliseLineEvents } from './normalise.ts';

export async function registerLineWebhook(
  app: FastifyInstance,
  inbox: ChannelInbox,
  channelSecret: string,
): Promise<void> {
  await registerSignedWebhook(app, {
    path: '/webhooks/line',
    proof: { kind: 'hmac', header: 'x-line-signature', secret: channelSecret, encoding: 'base64' },
    refusal: () => errors.badSignature('bad or missing X-Line-Signature'),
    handle: async (body, _request, reply) => {
      // Every event is checked before any is accepted: a bad one refuses the whole call (400).
      const events = normaliseLineEvents(body);
      // In order: LINE may send several events of one user in one call.
      const results = [];
      for (const event of events) results.push(await inbox.accept(event));
      return reply.code(200).send({ ok: true, accepted: results.filter((r) => r === 'accepted').length });
    },
  });
}
