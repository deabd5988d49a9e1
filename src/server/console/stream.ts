// The console's live stream: the features' feeds, turned into typed events once per instance
// and sent to each open page whose staff member may see them.
import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../../security/staff-accounts.ts';
import { errors } from '../errors.ts';
import { eventStreams } from '../event-stream.ts';
import { sseName, type ConsoleEvent } from './events.ts';
import { guards, recorder, type ConsoleDeps, type ConsoleFeed } from './plugin.ts';

export function streamRoutes(feeds: ConsoleFeed[]): FastifyPluginAsync<ConsoleDeps> {
  return async (app, deps) => {
    const { allow } = guards(app, {});
    const record = recorder(deps.audit);
    const openStream = eventStreams(app);
    const pages = new Set<{ roles: Role[]; send(event: ConsoleEvent): void }>();
    // One subscription per feed for the whole instance: a change is read once, not per page.
    const stops = await Promise.all(
      feeds.map((feed) => {
        // Read in the order the changes came, so a page never gets an older row after a newer.
        let reading = Promise.resolve();
        return deps.kv.subscribe(feed.channel, (message) => {
          if (pages.size === 0) return;
          reading = reading
            .then(() => feed.toEvent(message, deps))
            .then((event) => {
              if (!event) return;
              for (const page of pages)
                if (page.roles.some((role) => feed.roles.includes(role))) page.send(event);
            })
            .catch((error: unknown) => app.log.warn({ err: error }, 'could not read a console feed change'));
        });
      }),
    );
    app.addHook('onClose', async () => {
      // The store may already be closed at shutdown; nothing is left to unsubscribe from then.
      await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
    });

    app.get('/console/api/stream', { preHandler: allow() }, async (request, reply) => {
      const roles = request.staff?.roles ?? [];
      if (!feeds.some((feed) => roles.some((role) => feed.roles.includes(role))))
        throw errors.forbidden('your role has no live view');
      await record(request, 'console.watch', 'console', '*');
      const stream = openStream(request, reply);
      const page = {
        roles,
        send: (event: ConsoleEvent) =>
          stream.write(`event: ${sseName(event)}\ndata: ${JSON.stringify(event)}\n\n`),
      };
      pages.add(page);
      stream.onClose(() => pages.delete(page));
    });
  };
}
