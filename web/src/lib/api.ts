// JSON requests to our own API: same-origin cookies, the CSRF token on every change, and the
// server's error message on a refusal.
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  /** The token the server issued with the session (sent as X-CSRF-Token). */
  csrf: string;
  /** Called on a 401 from anything but sign-in: the session is gone. */
  onSignedOut?: () => void;
}

export function createApi(): Api {
  const api: Api = {
    csrf: '',
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body),
  };
  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET') headers['x-csrf-token'] = api.csrf;
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
    const data = (await response.json().catch(() => ({}))) as { message?: string };
    if (response.status === 401 && !path.endsWith('/sign-in')) {
      api.onSignedOut?.();
      throw new ApiError(data.message ?? 'signed out', 401);
    }
    if (!response.ok)
      throw new ApiError(data.message ?? `request failed: ${response.status}`, response.status);
    return data as T;
  }
  return api;
}
