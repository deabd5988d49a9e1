// The public live pages' streams (waiting-room display, live ticket): server-sent events of one
// JSON kind, sent again only when what the page shows changed. No sign-in, so each instance
// caps how many it holds open: past the cap a page is asked to retry later (503 with
// Retry-After) before anything is read for it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../server/errors.ts';
import { eventStreams, type EventStream } from '../../server/event-stream.ts';

/** Open public streams per instance: TVs and patients' phones; far above a hospital's day. */
export const MAX_PUBLIC_STREAMS = 5000;

/** Starts feeding a page: sends its first value (or throws, answered as an error) and returns the stop. */
export type Feed<T> = (send: (value: T) => void) => Promise<() => void>;

/** Opens streams in this scope; `event` is the SSE event name every message carries. */
export function publicStreams(app: FastifyInstance, event: string, max = MAX_PUBLIC_STREAMS) {
  const open = eventStreams(app);
  let count = 0;
  return async <T>(request: FastifyRequest, reply: FastifyReply, feed: Feed<T>): Promise<void> => {
    if (count >= max) throw errors.unavailable('too many live pages open: retry later');
    count += 1;
    // Opened once the first value is known; `send` writes nothing until then.
    const opened: { stream?: EventStream } = {};
    let last = '';
    const send = (value: T) => {
      const data = JSON.stringify(value);
      if (data === last) return;
      last = data;
      opened.stream?.write(`event: ${event}\ndata: ${data}\n\n`);
    };
    let stop: () => void;
    try {
      // Before the stream opens, so a failure is an ordinary error answer.
      stop = await feed(send);
    } catch (error) {
      count -= 1;
      throw error;
    }
    const stream = open(request, reply);
    opened.stream = stream;
    if (last) stream.write(`event: ${event}\ndata: ${last}\n\n`);
    stream.onClose(() => {
      count -= 1;
      stop();
    });
  };
}
