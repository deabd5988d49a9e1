// An HTTP client for the staff console API that behaves like the browser: keeps cookies,
// fetches the CSRF token and sends it on every state-changing request.
export class ConsoleClient {
  private readonly cookies = new Map<string, string>();
  csrfToken = '';
  /** The headers of the last response (Retry-After, …). */
  lastHeaders = new Headers();

  constructor(
    private readonly baseUrl: string,
    /** Sent with every request (e.g. an X-Forwarded-For a client made up). */
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  async request(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    options: { csrf?: boolean } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = {
      ...this.extraHeaders,
      cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST' && options.csrf !== false) headers['x-csrf-token'] = this.csrfToken;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '')
        this.cookies.delete(pair.slice(0, at));
      else this.cookies.set(pair.slice(0, at), value);
    }
    const text = await response.text();
    this.lastHeaders = response.headers;
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** The session cookies, for requests this client does not make itself (the event stream). */
  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async signIn(email: string, password: string) {
    const csrf = await this.request('GET', '/console/api/csrf');
    this.csrfToken = String(csrf.body.csrfToken);
    const result = await this.request('POST', '/console/api/sign-in', { email, password });
    if (result.status === 200) {
      const me = await this.request('GET', '/console/api/me');
      this.csrfToken = String(me.body.csrfToken);
    }
    return result;
  }
}

/** The console's live stream, read as the browser's EventSource would: event names and data. */
export async function openConsoleStream(
  baseUrl: string,
  client: ConsoleClient,
): Promise<{ next(event: string): Promise<string>; close(): void; seen: string[] }> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/console/api/stream`, {
    headers: { cookie: client.cookieHeader() },
    signal: controller.signal,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  /** Every event name read so far, the skipped ones included. */
  const seen: string[] = [];
  return {
    seen,
    async next(event) {
      for (;;) {
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop() ?? '';
        for (const [index, block] of blocks.entries()) {
          const name = /^event: (.*)$/m.exec(block)?.[1];
          if (name) seen.push(name);
          if (name === event) {
            buffer = [...blocks.slice(index + 1), buffer].join('\n\n');
            return /^data: (.*)$/m.exec(block)?.[1] ?? '';
          }
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the console stream ended');
        buffer += value;
      }
    },
    close: () => controller.abort(),
  };
}
