// The hospital API in one scope: its OpenAPI document and page, then /api/v1 behind the same
// steps for every route, in this order, all before the body is read: find the key's holder,
// count the call against the holder's (or the address's) rate limit, refuse without the route's
// scope; and the audit row of every answer. Routes only declare their scope and audit action.
import type { FastifyInstance } from 'fastify';
import type { Broadcasts } from '../../domain/broadcasts.ts';
import type { QueueDesk } from '../../domain/queue.ts';
import type { ApiKeys } from '../../security/api-keys.ts';
import type { AuditLog } from '../../security/audit-log.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';
import { identifyApiKey, requireScope } from './api-key-auth.ts';
import { auditApiCalls } from './audit.ts';
import { registerBroadcastApi } from './broadcasts.ts';
import { errors } from '../errors.ts';
import { API_PREFIX, registerDocsPage, registerOpenApi } from './openapi.ts';
import { registerQueueApi } from './queues.ts';
import { apiRateLimit } from './rate-limit.ts';

export interface HospitalApiDeps {
  apiKeys: ApiKeys;
  audit: AuditLog;
  kv: KeyValueStore;
  /** API_RATE_LIMIT: calls a minute per key (and per client address without a live key). */
  ratePerMinute: number;
  queue: QueueDesk;
  /** Without it (an instance that does not deliver broadcasts) the broadcast routes are absent. */
  broadcasts?: Broadcasts;
}

export async function registerHospitalApi(app: FastifyInstance, deps: HospitalApiDeps): Promise<void> {
  await app.register(async (api) => {
    await registerOpenApi(api);
    await api.register(registerDocsPage);
    await api.register(
      async (v1) => {
        const countCall = await apiRateLimit(v1, deps.kv, deps.ratePerMinute);
        v1.addHook('onRequest', identifyApiKey(deps.apiKeys));
        v1.addHook('onRequest', countCall);
        v1.addHook('onRequest', requireScope);
        auditApiCalls(v1, deps.audit);
        // A path the API does not have goes through the same steps (a key, the limit, the
        // audit): probing for routes is neither free nor unseen, and tells a caller without a
        // key nothing.
        v1.setNotFoundHandler(() => {
          throw errors.notFound('no such route in the hospital API: see /api/docs');
        });
        await registerQueueApi(v1, { queue: deps.queue });
        if (deps.broadcasts) await registerBroadcastApi(v1, { broadcasts: deps.broadcasts });
      },
      { prefix: API_PREFIX },
    );
  });
}
