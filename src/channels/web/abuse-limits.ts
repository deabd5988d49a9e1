// Abuse limits for the public web chat: messages per session and per client address, and new
// sessions per address, counted in fixed windows in the shared key-value store (so every
// instance enforces the same budget). A hospital's guest Wi-Fi puts many patients behind one
// address, so the address budgets are ten patients' worth; a session's lets one person type a
// message a second (and a page resend its burst) but stops a script posting a thousand.
// Loading the page costs nothing on the server (a signed random cookie), so page loads have
// their own, larger budget; a session is counted as new when it first talks to the API (opens
// the stream or posts), so link previews, prefetches and crawlers spend nobody's chat budget.
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';

export interface Budget {
  max: number;
  windowMs: number;
}

export interface WebChatLimits {
  sessionMessages: Budget;
  addressMessages: Budget;
  addressSessions: Budget;
  /** Page loads without a session cookie, per address; DEFAULT_WEB_CHAT_LIMITS when unset. */
  addressPages?: Budget;
}

export const DEFAULT_WEB_CHAT_LIMITS: WebChatLimits = {
  sessionMessages: { max: 60, windowMs: 60_000 },
  addressMessages: { max: 600, windowMs: 60_000 },
  addressSessions: { max: 60, windowMs: 10 * 60_000 },
  addressPages: { max: 600, windowMs: 10 * 60_000 },
};

/** Allowed, or refused with the seconds until the full window ends (for Retry-After). */
export type LimitDecision = { allowed: true } | { allowed: false; retryAfterS: number };

export class WebChatAbuseLimits {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly limits: WebChatLimits = DEFAULT_WEB_CHAT_LIMITS,
  ) {}

  /** Counts one posted message for the session and its address; refused ones count nothing more. */
  async message(session: string, address: string): Promise<LimitDecision> {
    const bySession = await this.take(`ratelimit:{web:${session}}:messages`, this.limits.sessionMessages);
    if (!bySession.allowed) return bySession;
    return this.take(`ratelimit:{webaddr:${address}}:messages`, this.limits.addressMessages);
  }

  /** Counts one page load without a session from `address`. */
  async pageLoad(address: string): Promise<LimitDecision> {
    return this.take(
      `ratelimit:{webaddr:${address}}:pages`,
      this.limits.addressPages ?? DEFAULT_WEB_CHAT_LIMITS.addressPages!,
    );
  }

  /** Counts one new chat session (its first API call) from `address`. */
  async newSession(address: string): Promise<LimitDecision> {
    return this.take(`ratelimit:{webaddr:${address}}:sessions`, this.limits.addressSessions);
  }

  private async take(key: string, budget: Budget): Promise<LimitDecision> {
    const full = await this.kv.takeSlots([{ key, max: budget.max, ttlMs: budget.windowMs }]);
    if (full === 0) return { allowed: true };
    const ttl = (await this.kv.ttl(key)) ?? budget.windowMs;
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil(ttl / 1000)) };
  }
}
