// A tiny recording HTTP server for platform fakes: every request is kept for assertions (or,
// for a broadcast to 100,000 patients, only counted), and answers can be held back to stand for
// a platform that received a call and has not answered yet (a worker killed meanwhile).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

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
  headers?: Record<string, string>;
}

export type FakeHandler = (request: RecordedRequest) => Promise<FakeAnswer> | FakeAnswer;

export interface HttpFakeOptions {
  /**
   * Keep every request in `requests` (the default). Off for bulk runs: the fakes' own counts
   * per recipient stay, the bodies do not pile up.
   */
  keepRequests?: boolean;
}

export class HttpFake {
  readonly requests: RecordedRequest[] = [];
  /** Requests handled (plumbing such as polling aside), whether `requests` keeps them or not. */
  received = 0;
  private server: Server | undefined;
  private holding = false;
  private readonly heldAnswers: (() => void)[] = [];
  /** Woken on every recorded request and every held answer: the waits below look again then. */
  private readonly watchers = new Set<() => void>();
  url = '';

  constructor(
    private readonly handler: FakeHandler,
    private readonly options: HttpFakeOptions = {},
  ) {}

  /**
   * From now on, requests are handled (counted, answered by the fake) but the answer is sent
   * only on `release()`: the platform got the call and its answer has not come back yet.
   */
  hold(): void {
    this.holding = true;
  }

  /** Sends every held answer and stops holding. */
  release(): void {
    this.holding = false;
    for (const send of this.heldAnswers.splice(0)) send();
  }

  /** How many answers are held back now. */
  get held(): number {
    return this.heldAnswers.length;
  }

  /** Waits until at least `count` answers are held. */
  async waitForHeld(count: number, timeoutMs = 10_000): Promise<void> {
    if (!(await this.until(() => this.held >= count, timeoutMs)))
      throw new Error(`fake: ${this.held} answers held, not ${count}, in ${timeoutMs} ms`);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Waits until `predicate` holds over the recorded requests. */
  async waitFor(
    predicate: (requests: RecordedRequest[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<RecordedRequest[]> {
    if (!(await this.until(() => predicate(this.requests), timeoutMs))) {
      throw new Error(
        `fake: condition not met in ${timeoutMs} ms; saw ${this.requests.length} requests: ${this.requests.map((r) => `${r.path.split('/').pop()}=${r.status}`).join(', ')}`,
      );
    }
    return this.requests;
  }

  /**
   * Resolves true once `check` holds, looking again whenever a request is recorded or an answer
   * held (a condition on anything else is looked at on the fake's next request), false after
   * `timeoutMs`: only a guard for a test that is failing anyway.
   */
  private until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const look = () => {
        if (!check()) return;
        finish(true);
      };
      const finish = (met: boolean) => {
        clearTimeout(guard);
        this.watchers.delete(look);
        resolve(met);
      };
      const guard = setTimeout(() => finish(check()), timeoutMs);
      this.watchers.add(look);
    });
  }

  private changed(): void {
    for (const look of [...this.watchers]) look();
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
    if (!answer.unrecorded) {
      this.received += 1;
      if (this.options.keepRequests !== false) this.requests.push(recorded);
    }
    this.changed();
    if (this.holding && !answer.unrecorded)
      await new Promise<void>((resolve) => {
        this.heldAnswers.push(resolve);
        this.changed();
      });
    // The caller may be gone (a killed worker): its answer goes nowhere.
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body));
  }
}

/** A platform fake served by an HttpFake: start, stop and its base URL. */
export abstract class PlatformFake {
  readonly http: HttpFake;

  constructor(options: HttpFakeOptions = {}) {
    this.http = new HttpFake((request) => this.answer(request), options);
  }

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
