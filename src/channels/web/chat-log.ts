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

const LOG_TTL_MS = 14 * 24 * 60 * 60 * 1000;
const HISTORY_MAX = 200;

export class WebChatLog {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly cipher: { encrypt(plain: string): string; decrypt(sealed: string): string },
  ) {}

  /** Appends an entry and tells live listeners; returns its id. */
  async append(
    sessionId: string,
    from: ChatEntry['from'],
    message: OutboundMessage,
    at: number,
    locale?: Locale,
  ): Promise<number> {
    const record = this.cipher.encrypt(JSON.stringify({ from, at, message, ...(locale ? { locale } : {}) }));
    const id = await this.kv.listPush(`weblog:{web:${sessionId}}`, record, { ttlMs: LOG_TTL_MS });
    await this.kv.publish(`webchat:{web:${sessionId}}`, String(id));
    return id;
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
    const key = `webepoch:{web:${sessionId}}`;
    await this.kv.setIfAbsent(key, randomUUID().slice(0, 8), { ttlMs: LOG_TTL_MS });
    return (await this.kv.get(key)) ?? '';
  }

  /** Calls `listener` whenever an entry is appended for the session, on any instance. */
  async watch(sessionId: string, listener: () => void): Promise<() => Promise<void>> {
    return this.kv.subscribe(`webchat:{web:${sessionId}}`, listener);
  }
}
