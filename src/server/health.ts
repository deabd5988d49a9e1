// Liveness and readiness. /healthz answers while the process runs; /readyz checks every
// backing service this instance depends on and names the ones that are down.
import type { FastifyInstance } from 'fastify';

/** A named dependency check; resolves when healthy, rejects with the reason otherwise. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

export function registerHealth(app: FastifyInstance, checks: ReadinessCheck[]): void {
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));

  app.get('/readyz', { logLevel: 'warn' }, async (request, reply) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await Promise.race([
            check(),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref()),
          ]);
          return { name, up: true as const };
        } catch (error) {
          request.log.warn({ check: name, err: error }, 'readiness check failed');
          return { name, up: false as const };
        }
      }),
    );
    const down = results.filter((result) => !result.up).map((result) => result.name);
    const body = {
      status: down.length === 0 ? 'ready' : 'unavailable',
      checks: Object.fromEntries(results.map((result) => [result.name, result.up ? 'up' : 'down'])),
      ...(down.length > 0 ? { down } : {}),
    };
    return reply.code(down.length === 0 ? 200 : 503).send(body);
  });
}
