// The web chat's transcript: what the patient sent and what we answered, kept per session in
// the key-value store (with a TTL), encrypted like all health data (it holds symptoms), and
// announced live to every instance over pub/sub.
import type { OutboundMessage } from '../../conversation/message.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';

export interface ChatEntry {
  /** 1-based position in the transcript; the SSE event id. */
  id: number;
  from: 'patient' | 'assistant';
  at: number;
  message: OutboundMessage;
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
  ): Promise<number> {
    const record = this.cipher.encrypt(JSON.stringify({ from, at, message }));
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

  /** Calls `listener` whenever an entry is appended for the session, on any instance. */
  async watch(sessionId: string, listener: () => void): Promise<() => Promise<void>> {
    return this.kv.subscribe(`webchat:{web:${sessionId}}`, listener);
  }
}
