// Every hospital API call is an audit row, written in one place: a hook of the API's scope, before
// the answer leaves (so whoever reads the audit log after an answer finds the row). A call that
// did what it asked is recorded under its route's action and subject, naming the key that made
// it (`api-key:<name>`); a refused one (401, 403, 400, 404, 409) as `api.refused`, with the key's
// name when the key was live and `api-key:none` when it was not. Calls over the rate limit (429)
// are not recorded: the limit bounds how many rows a flood can write, and so must not write one
// per refusal itself.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditLog } from '../../security/audit-log.ts';
import { loggedPath } from '../../logging.ts';
import { errors } from '../errors.ts';

export interface ApiAudit {
  /** What a call that succeeded did, e.g. `broadcast.send`. */
  action: string;
  subjectType: string;
  /** The subject's id, from the request (a route parameter); the reply's when it is made then. */
  subjectId(request: FastifyRequest): string;
}

type Detail = Record<string, string | number | boolean>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How a successful call of this route is audited. */
    audit?: ApiAudit;
  }
  interface FastifyRequest {
    /** What the handler adds to the call's audit row (a made broadcast's id, a called ticket). */
    auditDetail?: Detail;
    /** The subject a handler made (a new broadcast), when the request does not name it. */
    auditSubject?: string;
  }
}

/** Refusals the API answers from the error catalogue; the row keeps the code, not the message. */
function errorCode(payload: unknown): string | undefined {
  if (typeof payload !== 'string') return undefined;
  return /^\{"error":"([a-z_]+)"/.exec(payload)?.[1];
}

/** Adds the audit hook to `app` (the hospital API's scope). */
export function auditApiCalls(app: FastifyInstance, audit: AuditLog): void {
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const status = reply.statusCode;
    if (status === 429) return payload;
    const holder = request.apiKey;
    const route = request.routeOptions;
    const actorLabel = holder ? `api-key:${holder.name}` : 'api-key:none';
    const ok = status < 400 && route.config.audit;
    // The route's pattern, or for a path the API does not have, the path (cut short, no query).
    const path = route.url ?? loggedPath(request.url)!.slice(0, 200);
    try {
      await audit.record({
        actorId: null,
        actorLabel,
        ...(ok
          ? {
              action: ok.action,
              subjectType: ok.subjectType,
              subjectId: request.auditSubject ?? ok.subjectId(request),
            }
          : { action: 'api.refused', subjectType: 'api', subjectId: `${request.method} ${path}` }),
        ip: request.ip,
        detail: {
          method: request.method,
          route: path,
          status,
          ...(ok ? request.auditDetail : { error: errorCode(payload) ?? 'unknown' }),
        },
      });
    } catch (error) {
      request.log.error({ err: error }, 'could not write the audit row of an API call');
      // A read is not answered unaudited; a change has been made, and failing its answer now
      // would only make the caller retry it.
      if (ok && request.method === 'GET') {
        const refusal = errors.unavailable();
        reply.code(refusal.statusCode).header('retry-after', String(refusal.options.retryAfterS));
        return JSON.stringify({ error: refusal.code, message: refusal.message });
      }
    }
    return payload;
  });
}
