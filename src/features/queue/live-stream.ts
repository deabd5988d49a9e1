// The public live pages' streams (waiting-room display, live ticket): server-sent events of one
// JSON kind, sent again only when what the page shows changed. No sign-in, so each instance
// caps how many it holds open: past the cap a page is asked to retry later (503), not served.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../server/errors.ts';
import { eventStreams } from '../../server/event-stream.ts';

/** Open public streams per instance: TVs and patients' phones; far above a hospital's day. */
export const MAX_PUBLIC_STREAMS = 5000;

export interface LiveStream<T> {
  /** Sends `value` unless it is what the page already has. */
  send(value: T): void;
  onClose(listener: () => void): void;
}

/** Opens streams in this scope; `event` is the SSE event name every message carries. */
export function publicStreams(app: FastifyInstance, event: string, max = MAX_PUBLIC_STREAMS) {
  const open = eventStreams(app);
  let count = 0;
  return <T>(request: FastifyRequest, reply: FastifyReply): LiveStream<T> => {
    if (count >= max) throw errors.unavailable('too many live pages open: retry later');
    count += 1;
    const stream = open(request, reply);
    let last = '';
    stream.onClose(() => {
      count -= 1;
    });
    return {
      send(value) {
        const data = JSON.stringify(value);
        if (data === last) return;
        last = data;
        stream.write(`event: ${event}\ndata: ${data}\n\n`);
      },
      onClose: (listener) => stream.onClose(listener),
    };
  };
}
