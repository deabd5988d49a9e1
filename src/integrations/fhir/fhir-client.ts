// A small FHIR R4 REST client over fetch: read, search with paging, create (conditional, so a
// retry never duplicates), update (with If-Match, so two writers cannot both win). Every call
// has a timeout; idempotent calls are retried on network errors and 5xx; a hospital's
// OperationOutcome becomes a FhirError with its status and text.
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';

export class FhirError extends Error {
  constructor(
    /** HTTP status, or 0 when the hospital could not be reached in time. */
    readonly status: number,
    message: string,
    readonly outcome?: OperationOutcome,
  ) {
    super(message);
    this.name = 'FhirError';
  }

  /** Another writer changed the resource first (412), or a conditional create matched twice. */
  get conflict(): boolean {
    return this.status === 409 || this.status === 412;
  }
}

export interface FhirClientOptions {
  timeoutMs?: number;
  /** Extra attempts for idempotent calls. */
  retries?: number;
  /**
   * Sent as `Authorization: Bearer …`, and only on requests under `base` (a paging link that
   * points elsewhere never gets it). Frontdoor gives it for the built-in hospital only.
   */
  bearerToken?: string;
}

type Versioned<T> = T & { meta?: { versionId?: string } };

export class FhirClient {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly bearerToken?: string;

  constructor(
    /** A function when the address is known only later (the demo hospital's port). */
    private readonly base: string | (() => string),
    options: FhirClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 8_000;
    this.retries = options.retries ?? 2;
    this.bearerToken = options.bearerToken;
  }

  read<T extends Resource>(type: T['resourceType'], id: string): Promise<Versioned<T>> {
    return this.call<Versioned<T>>('GET', `${type}/${encodeURIComponent(id)}`, { idempotent: true });
  }

  /** One page of a search; `next` is the URL of the following page, if any. */
  async search<T extends Resource>(
    type: T['resourceType'],
    params: Record<string, string>,
  ): Promise<{ resources: T[]; next?: string; total?: number }> {
    return this.page<T>(`${type}?${new URLSearchParams(params).toString()}`);
  }

  async page<T extends Resource>(
    pathOrUrl: string,
  ): Promise<{ resources: T[]; next?: string; total?: number }> {
    const bundle = await this.call<Bundle<T>>('GET', pathOrUrl, { idempotent: true });
    return {
      resources: (bundle.entry ?? []).flatMap((entry) => (entry.resource ? [entry.resource] : [])),
      next: bundle.link?.find((link) => link.relation === 'next')?.url,
      total: bundle.total,
    };
  }

  /** Creates `resource`, or returns the existing one matching `ifNoneExist` (a search query). */
  create<T extends Resource>(resource: T, ifNoneExist?: string): Promise<Versioned<T>> {
    return this.call<Versioned<T>>('POST', resource.resourceType, {
      body: resource,
      headers: ifNoneExist ? { 'if-none-exist': ifNoneExist } : {},
      // Only a conditional create is safe to repeat.
      idempotent: Boolean(ifNoneExist),
    });
  }

  /** Replaces `resource`; with `versionId`, only if nobody changed it since (else 412). */
  update<T extends Resource & { id?: string }>(resource: T, versionId?: string): Promise<Versioned<T>> {
    return this.call<Versioned<T>>('PUT', `${resource.resourceType}/${resource.id ?? ''}`, {
      body: resource,
      headers: versionId ? { 'if-match': `W/"${versionId}"` } : {},
      idempotent: true,
    });
  }

  private async call<T>(
    method: string,
    pathOrUrl: string,
    options: { body?: unknown; headers?: Record<string, string>; idempotent: boolean },
  ): Promise<T> {
    const base = typeof this.base === 'string' ? this.base : this.base();
    const root = `${base.replace(/\/+$/, '')}/`;
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${root}${pathOrUrl}`;
    const credential: Record<string, string> =
      this.bearerToken && url.startsWith(root) ? { authorization: `Bearer ${this.bearerToken}` } : {};
    const headers = { ...options.headers, ...credential };
    const attempts = options.idempotent ? this.retries + 1 : 1;
    let lastError: FhirError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await this.once<T>(method, url, { ...options, headers });
      } catch (error) {
        if (!(error instanceof FhirError)) throw error;
        lastError = error;
        const retryable = error.status === 0 || error.status >= 500;
        if (!retryable || attempt === attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
    throw lastError ?? new FhirError(0, 'no attempt was made');
  }

  private async once<T>(
    method: string,
    url: string,
    options: { body?: unknown; headers?: Record<string, string> },
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/fhir+json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/fhir+json' }),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs} ms`
          : (error as Error).message;
      throw new FhirError(0, `hospital unreachable: ${reason}`);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new FhirError(
        response.status,
        `hospital answered ${response.status} with a body that is not JSON`,
      );
    }
    if (!response.ok) {
      const outcome =
        (body as Resource | undefined)?.resourceType === 'OperationOutcome'
          ? (body as OperationOutcome)
          : undefined;
      const detail = outcome?.issue
        ?.map((issue) => issue.details?.text ?? issue.diagnostics ?? issue.code)
        .join('; ');
      throw new FhirError(
        response.status,
        `hospital answered ${response.status}${detail ? `: ${detail}` : ''}`,
        outcome,
      );
    }
    return body as T;
  }
}
