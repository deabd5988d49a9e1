// POST /webhooks/line: the signature is computed over the raw body before it is parsed (the
// LINE SDK's validateSignature, constant-time), then every event goes to the engine.
import { validateSignature } from '@line/bot-sdk';
import type { FastifyInstance } from 'fastify';
import type { ConversationEngine } from '../../conversation/engine.ts';
import { errors } from '../../server/errors.ts';
import { normaliseLineEvents } from './normalise.ts';

export async function registerLineWebhook(
  app: FastifyInstance,
  engine: ConversationEngine,
  channelSecret: string,
): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    );
    scope.post('/webhooks/line', async (request, reply) => {
      const raw = request.body;
      const signature = request.headers['x-line-signature'];
      if (
        !Buffer.isBuffer(raw) ||
        typeof signature !== 'string' ||
        !validateSignature(raw, channelSecret, signature)
      ) {
        throw errors.unauthorized('bad or missing X-Line-Signature');
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply.code(400).send({ error: 'malformed_json', message: 'request body is not valid JSON' });
      }
      // Every event is checked before any is accepted: a bad one refuses the whole call (400).
      const events = normaliseLineEvents(body);
      // In order: LINE may send several events of one user in one call.
      const results = [];
      for (const event of events) results.push(await engine.accept(event));
      return reply.code(200).send({ ok: true, accepted: results.filter((r) => r === 'accepted').length });
    });
  });
}
