// Reference 1, the ceiling: a bare Fastify route that checks the secret and answers.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const secret = process.env.TELEGRAM_WEBHOOK_SECRET ?? '';
app.post('/webhooks/telegram', async (request, reply) => {
  if (request.headers['x-telegram-bot-api-secret-token'] !== secret) return reply.code(401).send();
  return { ok: true };
});
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
