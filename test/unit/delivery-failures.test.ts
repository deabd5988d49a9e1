// What a failed broadcast call means for its recipients: refused for good, wait (nothing sent),
// not sent (try later), or unknown — made again under its key where the platform can tell a
// repeat (LINE), counted sent and never made again where it cannot (Telegram, web).
import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/conversation/outbox.ts';
import { backoffMs, classifyFailure } from '../../src/features/broadcasts/delivery-failures.ts';

describe('classifyFailure', () => {
  it('keeps what the platform answered apart from what the network lost', () => {
    const refused = new DeliveryError('line 400', { permanent: true });
    const tooMany = new DeliveryError('telegram rate limit', { retryAfterMs: 3_000 });
    const serverError = new DeliveryError('telegram 502');
    const refusedConnection = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    const lostAnswer = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

    for (const resendsSafely of [true, false]) {
      expect(classifyFailure(refused, resendsSafely)).toEqual({ kind: 'refused', reason: 'line 400' });
      expect(classifyFailure(tooMany, resendsSafely)).toEqual({ kind: 'wait', ms: 3_000 });
      expect(classifyFailure(refusedConnection, resendsSafely)).toEqual({ kind: 'not-sent' });
    }
    expect(classifyFailure(serverError, false)).toEqual({ kind: 'not-sent' });
    expect(classifyFailure(serverError, true)).toEqual({ kind: 'unknown-resendable' });
    expect(classifyFailure(lostAnswer, false)).toEqual({ kind: 'unknown' });
    expect(classifyFailure(lostAnswer, true)).toEqual({ kind: 'unknown-resendable' });
  });

  it('backs off from half a second, doubling, to at most 30 s', () => {
    expect([1, 2, 3, 4, 7, 20].map(backoffMs)).toEqual([500, 1_000, 2_000, 4_000, 30_000, 30_000]);
  });
});
