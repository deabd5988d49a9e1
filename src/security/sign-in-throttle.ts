// Sign-in throttling shared by every instance through the key-value store (Redis when
// configured). Failures are counted per account and per client address; after the allowed
// number, each further attempt must wait 1 s, 2 s, 4 s … (capped), and an attempt that comes
// too early is refused before the password is looked at, so the answer is the same whether
// the password was right or wrong. A successful sign-in clears both counts. Nothing locks an
// account outright: whoever fails on purpose only makes the next attempt wait.
import { randomBytes } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';

export interface BackOffPolicy {
  /** Failures before the back-off starts (STAFF_MAX_FAILED_LOGINS). */
  freeFailures: number;
  /** The longest wait between attempts (STAFF_LOCKOUT_MINUTES). */
  maxWaitMs: number;
}

export interface SignInThrottlePolicy {
  /** Failures of one account, from anywhere, before its back-off starts. */
  accountFreeFailures: number;
  /**
   * Failures from one client address, on any accounts, before its back-off starts: more than
   * an account's, since a whole ward may sign in from behind one hospital NAT address.
   */
  addressFreeFailures: number;
  maxWaitMs: number;
}

/** Failed sign-ins of one account or one address since its last success. */
export interface FailureRecord {
  failures: number;
  lastFailureAt: number;
}

/** When the next attempt may be made after `record`: 0 while failures are still free. */
export function nextAttemptAt(record: FailureRecord | undefined, policy: BackOffPolicy): number {
  if (!record || record.failures < policy.freeFailures) return 0;
  const doublings = Math.min(record.failures - policy.freeFailures, 30);
  return record.lastFailureAt + Math.min(1000 * 2 ** doublings, policy.maxWaitMs);
}

/** Who is trying: the account's email (known or not) and the client's address. */
export interface SignInSubjects {
  account: string;
  address: string;
}

export type ThrottledAttempt<T> =
  | { throttled: false; result: T }
  | {
      throttled: true;
      retryAfterMs: number;
      by: 'account' | 'address';
      /**
       * The first refusal of this wait: the one to audit. The rest of a wait's refusals are only
       * counted (frontdoor_staff_sign_in_throttled_total), so a script hammering a waiting
       * account cannot write an audit row per try.
       */
      firstOfWait: boolean;
    };

/** One attempt per subject at a time: long enough for a password hash on a busy machine. */
const ATTEMPT_GATE_MS = 10_000;
/** How long the "first refusal of this wait" marker outlives its wait. */
const MARKER_GRACE_MS = 10 * 60_000;

export class SignInThrottle {
  private readonly refusals: Counter<'by'> | undefined;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly clock: Clock,
    private readonly policy: SignInThrottlePolicy,
    metrics?: Registry,
  ) {
    this.refusals = metrics
      ? new Counter({
          name: 'frontdoor_staff_sign_in_throttled_total',
          help: 'Console sign-in attempts refused because the account or the address must wait',
          labelNames: ['by'],
          registers: [metrics],
        })
      : undefined;
  }

  private backOff(by: 'account' | 'address'): BackOffPolicy {
    const freeFailures = by === 'account' ? this.policy.accountFreeFailures : this.policy.addressFreeFailures;
    return { freeFailures, maxWaitMs: this.policy.maxWaitMs };
  }

  /** Runs `signIn` unless either subject must wait, and counts its outcome for both. */
  async attempt<T extends { ok: boolean }>(
    subjects: SignInSubjects,
    signIn: () => Promise<T>,
  ): Promise<ThrottledAttempt<T>> {
    const keys = {
      account: `sign-in:account:${subjects.account}`,
      address: `sign-in:address:${subjects.address}`,
    };
    // Without the gate a burst of parallel guesses would all read the count before any failure
    // is written, and all be let through.
    const token = randomBytes(12).toString('base64url');
    const gates: string[] = [];
    try {
      for (const by of ['account', 'address'] as const) {
        if (!(await this.kv.setIfAbsent(`${keys[by]}:attempt`, token, { ttlMs: ATTEMPT_GATE_MS }))) {
          const now = this.clock.now();
          return this.refuse(
            keys[by],
            by,
            `gate:${Math.floor(now / ATTEMPT_GATE_MS)}`,
            1000,
            ATTEMPT_GATE_MS,
          );
        }
        gates.push(`${keys[by]}:attempt`);
      }
      const now = this.clock.now();
      const records = {
        account: await this.read(keys.account),
        address: await this.read(keys.address),
      };
      for (const by of ['account', 'address'] as const) {
        const allowedAt = nextAttemptAt(records[by], this.backOff(by));
        if (allowedAt > now) return this.refuse(keys[by], by, String(allowedAt), allowedAt - now);
      }
      const result = await signIn();
      for (const by of ['account', 'address'] as const) {
        if (result.ok) await this.kv.delete(keys[by]);
        else await this.recordFailure(keys[by], records[by], this.backOff(by), this.clock.now());
      }
      return { throttled: false, result };
    } finally {
      for (const gate of gates) await this.kv.compareAndDelete(gate, token);
    }
  }

  /** A refusal, marked as the first of its wait (`wait` names it) or not, and counted. */
  private async refuse(
    key: string,
    by: 'account' | 'address',
    wait: string,
    retryAfterMs: number,
    waitLastsMs = retryAfterMs,
  ): Promise<ThrottledAttempt<never>> {
    this.refusals?.inc({ by });
    // `wait` names the wait, so the marker can outlive it: its TTL runs on the store's real clock,
    // and a marker gone before the wait's last refusal (a busy machine, an injected clock) would
    // audit that wait twice.
    const firstOfWait = await this.kv.setIfAbsent(`${key}:refused:${wait}`, '1', {
      ttlMs: waitLastsMs + MARKER_GRACE_MS,
    });
    return { throttled: true, retryAfterMs, by, firstOfWait };
  }

  private async read(key: string): Promise<FailureRecord | undefined> {
    const raw = await this.kv.get(key);
    return raw ? (JSON.parse(raw) as FailureRecord) : undefined;
  }

  private async recordFailure(
    key: string,
    previous: FailureRecord | undefined,
    policy: BackOffPolicy,
    now: number,
  ): Promise<void> {
    const record = { failures: (previous?.failures ?? 0) + 1, lastFailureAt: now };
    // Forgotten after a quiet stretch as long as the longest wait, counted from when the next
    // attempt became allowed.
    const ttlMs = Math.max(nextAttemptAt(record, policy) - now, 0) + policy.maxWaitMs;
    await this.kv.set(key, JSON.stringify(record), { ttlMs });
  }
}
