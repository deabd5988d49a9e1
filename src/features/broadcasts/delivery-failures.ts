// What a failed platform call means for its recipients. grammY's three failures kept apart: the
// platform refused (a DeliveryError: it answered), the network failed before the request left
// (nothing sent), or the answer was lost (the message may have reached the patient).
import { DeliveryError } from '../../conversation/outbox.ts';

export type CallFailure =
  /** The platform refused these recipients for good (a 400): failed, with the reason. */
  | { kind: 'refused'; reason: string }
  /** The platform asked to wait (a 429): nothing was sent. */
  | { kind: 'wait'; ms: number }
  /** Nothing reached the platform, or it answered an error without sending: try again later. */
  | { kind: 'not-sent' }
  /** Unknown, on a platform that recognises the same call made again (LINE's retry key). */
  | { kind: 'unknown-resendable' }
  /** Unknown, on a platform that would send a repeat again (Telegram, web). */
  | { kind: 'unknown' };

/** Connection errors raised before any byte of the request left this machine. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function classifyFailure(error: unknown, resendsSafely: boolean): CallFailure {
  if (error instanceof DeliveryError) {
    if (error.options.permanent) return { kind: 'refused', reason: error.message };
    if (error.options.retryAfterMs !== undefined) return { kind: 'wait', ms: error.options.retryAfterMs };
    // A server error: the platform answered without taking the call. LINE still gets the same
    // key again (what its retry key is for); elsewhere the recipients go back to pending.
    return resendsSafely ? { kind: 'unknown-resendable' } : { kind: 'not-sent' };
  }
  if (neverConnected(error)) return { kind: 'not-sent' };
  return resendsSafely ? { kind: 'unknown-resendable' } : { kind: 'unknown' };
}

function neverConnected(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_CONNECTED.has(code)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/** Same-key tries of one call before a run gives up and leaves it to the next run. */
export const MAX_SAME_KEY_TRIES = 5;

/** Wait after the `failures`-th platform failure in a row: doubling from 0.5 s, at most 30 s. */
export const backoffMs = (failures: number): number => Math.min(30_000, 500 * 2 ** Math.max(0, failures - 1));
