// Liveness and readiness. /healthz answers while the process runs; /readyz checks every
// backing service this instance depends on and names the ones that are down.
import type { FastifyInstance } from 'fastify';
import type { LevelWithSilent } from 'pino';
import { withTimeout } from '../with-timeout.ts';

/** A named dependency check; resolves when healthy, rejects with the reason otherwise. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

export function registerHealth(app: FastifyInstance, checks: ReadinessCheck[]): void {
  const quiet = { logLevel: probeLogLevel(app) };
  app.get('/healthz', quiet, async () => ({ status: 'ok' }));

  app.get('/readyz', quiet, async (request, reply) => {
    const results = await Promise.all(
      checks.map(async (probe) => {
        const name = probe.name;
        try {
          await withTimeout(probe.check(), CHECK_TIMEOUT_MS, `${name} check timed out`);
          return { name, up: true as const };
        } catch (error) {
          request.log.warn({ check: name, err: error }, 'readiness check failed');
          return { name, up: false as const, reason: readinessReason(error) };
        }
      }),
    );
    const down = results.filter((result) => !result.up).map((result) => result.name);
    const body = {
      status: down.length === 0 ? 'ready' : 'unavailable',
      checks: Object.fromEntries(results.map((result) => [result.name, result.up ? 'up' : 'down'])),
      ...(down.length > 0 ? { down } : {}),
      // Why each is down, as a short cause (timed out, connection refused...): the route is
      // public, so the error's own message (hosts, users) stays in the log.
      ...(down.length > 0
        ? { reasons: Object.fromEntries(results.flatMap((r) => (r.up ? [] : [[r.name, r.reason]]))) }
        : {}),
    };
    return reply.code(down.length === 0 ? 200 : 503).send(body);
  });
}

const LEVEL_ORDER: LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * Probes arrive every few seconds; their request lines are noise at info level. A route's
 * level replaces the logger's, so never pick one lower than the configured level.
 */
export function probeLogLevel(app: FastifyInstance): LevelWithSilent {
  const configured = app.log.level as LevelWithSilent;
  return LEVEL_ORDER.indexOf(configured) > LEVEL_ORDER.indexOf('warn') ? configured : 'warn';
}

/** A coarse, public cause of a failed check: never the error's own text. */
function readinessReason(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const text = `${typeof code === 'string' ? code : ''} ${error instanceof Error ? error.message : ''}`;
  if (/timed? ?out|ETIMEDOUT/i.test(text)) return 'timed out';
  if (/ECONNREFUSED|refused/i.test(text)) return 'connection refused';
  if (/ENOTFOUND|EAI_AGAIN/i.test(text)) return 'host not found';
  if (/closed|ECONNRESET|Connection is closed|ended/i.test(text)) return 'connection closed';
  return 'not answering';
}
