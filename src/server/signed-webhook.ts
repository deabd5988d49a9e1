// Webhook routes that prove who sent them before their body is parsed: a shared secret in a
// header (Telegram), an HMAC of the raw body (LINE), or a platform's own scheme over the raw
// body (Stripe). Secrets and signatures are compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { AppError } from './errors.ts';
import { errors } from './errors.ts';

/** Constant-time comparison of two secrets or signatures of possibly different length. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The HMAC-SHA256 of `raw` with `secret`, as the platform writes it. */
export function hmacSha256(secret: string, raw: Buffer | string, encoding: 'base64' | 'hex'): string {
  return createHmac('sha256', secret).update(raw).digest(encoding);
}

/** How a webhook's sender is proven. */
export type WebhookProof =
  /** The header carries a shared secret: checked before the body is even read. */
  | { kind: 'secret'; header: string; secret: string }
  /** The header carries the HMAC-SHA256 of the raw body with `secret`. */
  | { kind: 'hmac'; header: string; secret: string; encoding: 'base64' | 'hex' }
  /** The platform's own scheme over the raw body (timestamps, several signatures). */
  | { kind: 'custom'; header: string; verify: (raw: Buffer, given: string) => boolean };

export interface SignedWebhook {
  path: string;
  proof: WebhookProof;
  /** The refusal of an unproven request (default: 401 bad_signature). */
  refusal?: () => AppError;
  /** Fastify's schema for the parsed body ('secret' proofs only: the others parse it themselves). */
  schema?: FastifySchema;
  /** Gets the proven body, parsed as JSON. */
  handle(body: unknown, request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Whether `raw` with `headers` carries a valid proof. */
export function proven(proof: WebhookProof, headers: IncomingHttpHeaders, raw?: Buffer): boolean {
  const given = header(headers, proof.header);
  if (given === undefined) return false;
  switch (proof.kind) {
    case 'secret':
      return sameSecret(given, proof.secret);
    case 'hmac':
      return raw !== undefined && sameSecret(given, hmacSha256(proof.secret, raw, proof.encoding));
    case 'custom':
      return raw !== undefined && proof.verify(raw, given);
  }
}

/** Registers POST `webhook.path` in its own scope, proven before its body is parsed. */
export async function registerSignedWebhook(app: FastifyInstance, webhook: SignedWebhook): Promise<void> {
  const refuse = webhook.refusal ?? (() => errors.badSignature());
  const { proof } = webhook;
  await app.register(async (scope) => {
    if (proof.kind === 'secret') {
      scope.post(
        webhook.path,
        {
          // An unauthenticated request costs us nothing: refused before its body is read.
          onRequest: async (request) => {
            if (!proven(proof, request.headers)) throw refuse();
          },
          ...(webhook.schema ? { schema: webhook.schema } : {}),
        },
        (request, reply) => webhook.handle(request.body, request, reply),
      );
      return;
    }
    // The bytes as they came: a signature over re-serialised JSON would not match.
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    );
    scope.post(webhook.path, async (request, reply) => {
      const raw = request.body;
      if (!Buffer.isBuffer(raw) || !proven(proof, request.headers, raw)) throw refuse();
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw errors.malformedJson();
      }
      return webhook.handle(body, request, reply);
    });
  });
}
