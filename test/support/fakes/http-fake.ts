// A tiny recording HTTP server for platform fakes: every request is kept for assertions.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  at: number;
  /** The status the fake answered with. */
  status?: number;
}

/** A fake's answer; `unrecorded` keeps plumbing (e.g. polling) out of the recorded calls. */
export interface FakeAnswer {
  status: number;
  body: unknown;
  unrecorded?: boolean;
}

export type FakeHandler = (request: RecordedRequest) => Promise<FakeAnswer> | FakeAnswer;

export class HttpFake {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  url = '';

  constructor(private readonly handler: FakeHandler) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Waits until `predicate` holds over the recorded requests. */
  async waitFor(
    predicate: (requests: RecordedRequest[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<RecordedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.requests)) {
      if (Date.now() > deadline) {
        throw new Error(
          `fake: condition not met in ${timeoutMs} ms; saw ${this.requests.length} requests: ${this.requests.map((r) => `${r.path.split('/').pop()}=${r.status}`).join(', ')}`,
        );
      }
      await sleep(10);
    }
    return this.requests;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = raw;
    if ((req.headers['content-type'] ?? '').includes('json') && raw) body = JSON.parse(raw) as unknown;
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body,
      at: Date.now(),
    };
    const answer = await this.handler(recorded);
    recorded.status = answer.status;
    if (!answer.unrecorded) this.requests.push(recorded);
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }
}

/** A platform fake served by an HttpFake: start, stop and its base URL. */
export abstract class PlatformFake {
  readonly http = new HttpFake((request) => this.answer(request));

  get url(): string {
    return this.http.url;
  }

  async start(): Promise<this> {
    await this.http.start();
    return this;
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  protected abstract answer(request: RecordedRequest): Promise<FakeAnswer> | FakeAnswer;
}
