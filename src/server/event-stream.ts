// Server-sent events on a hijacked reply: headers that keep proxies from buffering, a
// heartbeat so idle connections survive, and closing on shutdown so it is not held up.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface EventStream {
  write(chunk: string): void;
  /** Called once when the client goes away. */
  onClose(listener: () => void): void;
}

const HEARTBEAT_MS = 25_000;

/** Tracks the open streams of one plugin scope and ends them when the server closes. */
export function eventStreams(
  app: FastifyInstance,
): (request: FastifyRequest, reply: FastifyReply) => EventStream {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end();
  });
  return (request, reply) => {
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    open.add(response);
    response.write('retry: 2000\n\n');
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const listeners: (() => void)[] = [];
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      open.delete(response);
      for (const listener of listeners) listener();
    });
    return {
      write: (chunk) => response.write(chunk),
      onClose: (listener) => listeners.push(listener),
    };
  };
}
