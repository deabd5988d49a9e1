// The queue's public pages in one registration: the waiting-room displays, the patient's
// check-in and live ticket pages, and /kiosk (reception's scanner page, a console view behind
// the console's sign-in). The runtime calls this once (src/runtime/http.ts).
import type { FastifyInstance } from 'fastify';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';
import { DepartmentWatch } from './department-watch.ts';
import { registerDisplayPage, type DisplayDeps } from './display-page.ts';
import { registerPatientPages, type PatientPagesDeps } from './patient-pages.ts';

export type QueuePagesDeps = Omit<DisplayDeps & PatientPagesDeps, 'watch'> & { kv: KeyValueStore };

export function registerQueuePages(app: FastifyInstance, deps: QueuePagesDeps): void {
  const watch = new DepartmentWatch(
    deps.kv,
    (department) => deps.queue.staffBoard(department),
    (error) => app.log.warn({ err: error }, 'could not read a queue change for a live page'),
  );
  app.addHook('onClose', () => watch.close());
  registerDisplayPage(app, { ...deps, watch });
  registerPatientPages(app, { ...deps, watch });
  app.get('/kiosk', async (_request, reply) => reply.redirect('/console#/kiosk', 302));
}
