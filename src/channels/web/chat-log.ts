// The web chat's transcript: what the patient sent and what we answered, kept per session in
// the key-value store (with a TTL), encrypted like all health data (it holds symptoms), and
// announced live to every instance over pub/sub.
import { randomUUID } from 'node:crypto';
import type { OutboundMessage } from '../../conversation/message.ts';
import type { Locale } from '../../i18n/locales.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';

export interface ChatEntry {
  /** 1-based position in the transcript; the SSE event id. */
  id: number;
  from: 'patient' | 'assistant';
  at: number;
  message: OutboundMessage;
  /** The conversation's language when we answered, so the page can follow a switch. */
  locale?: Locale;
}

/** A consented session's transcript is kept this long after its last message. */
export const LOG_TTL_MS = 14 * 24 * 60 * 60 * 1000;
/**
 * Every key of a session whose patient never consented (or withdrew) lives this long: a script
 * opening chats must not fill the store for two weeks (README "Abuse limits").
 */
export const UNCONSENTED_TTL_MS = 60 * 60 * 1000;
const HISTORY_MAX = 200;

const epochKey = (sessionId: string) => `webepoch:{web:${sessionId}}`;
/** Present while the session's patient has consented (written from the answers' batches). */
const consentKey = (sessionId: string) => `webconsent:{web:${sessionId}}`;

export class WebChatLog {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly cipher: { encrypt(plain: string): string; decrypt(sealed: string): string },
  ) {}

  /**
   * Appends an entry and tells live listeners; returns its id. `consented` comes with answers
   * (the engine's view, recorded here for the session's other keys); without it, the session's
   * recorded one applies.
   */
  async append(
    sessionId: string,
    from: ChatEntry['from'],
    message: OutboundMessage,
    at: number,
    locale?: Locale,
    consented?: boolean,
  ): Promise<number> {
    const ttlMs =
      consented === undefined
        ? await this.retention(sessionId)
        : await this.recordConsent(sessionId, consented);
    const record = this.cipher.encrypt(JSON.stringify({ from, at, message, ...(locale ? { locale } : {}) }));
    const id = await this.kv.listPush(`weblog:{web:${sessionId}}`, record, { ttlMs });
    // The epoch must outlive the transcript it names, and not a never-consented one.
    await this.kv.expire(epochKey(sessionId), ttlMs);
    await this.kv.publish(`webchat:{web:${sessionId}}`, String(id));
    return id;
  }

  /** How long the session's keys are kept: two weeks once its patient consented, else an hour. */
  async retention(sessionId: string): Promise<number> {
    return (await this.kv.get(consentKey(sessionId))) ? LOG_TTL_MS : UNCONSENTED_TTL_MS;
  }

  private async recordConsent(sessionId: string, consented: boolean): Promise<number> {
    if (!consented) {
      await this.kv.delete(consentKey(sessionId));
      return UNCONSENTED_TTL_MS;
    }
    await this.kv.set(consentKey(sessionId), '1', { ttlMs: LOG_TTL_MS });
    return LOG_TTL_MS;
  }

  /** Entries with an id greater than `after`, oldest first (at most the last 200). */
  async since(sessionId: string, after: number): Promise<ChatEntry[]> {
    const records = await this.kv.listRange(`weblog:{web:${sessionId}}`, Math.max(after, 0), -1);
    const entries = records.map((record, index) => ({
      id: Math.max(after, 0) + index + 1,
      ...(JSON.parse(this.cipher.decrypt(record)) as Omit<ChatEntry, 'id'>),
    }));
    return entries.slice(-HISTORY_MAX);
  }

  /** Whether nothing was said yet in the session. */
  async isEmpty(sessionId: string): Promise<boolean> {
    return (await this.kv.listRange(`weblog:{web:${sessionId}}`, 0, 0)).length === 0;
  }

  /**
   * The identity of this transcript: it changes when the transcript is lost and begun again
   * (an in-memory store after a restart), so a page holding higher ids knows to reload.
   */
  async epoch(sessionId: string): Promise<string> {
    const key = epochKey(sessionId);
    await this.kv.setIfAbsent(key, randomUUID().slice(0, 8), { ttlMs: await this.retention(sessionId) });
    return (await this.kv.get(key)) ?? '';
  }

  /** Calls `listener` whenever an entry is appended for the session, on any instance. */
  async watch(sessionId: string, listener: () => void): Promise<() => Promise<void>> {
    return this.kv.subscribe(`webchat:{web:${sessionId}}`, listener);
  }
}
