// Console sessions in the key-value store, shared by every instance: an opaque random token in
// the cookie, whose account and credential version are on the server. Every use checks the
// account as it is now, so a session ends when the account is disabled or its password or
// roles change (even when staff:add ran in another process). Idle sessions expire; signing out
// deletes them.
import { randomBytes } from 'node:crypto';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';
import type { StaffAccounts, StaffMember } from './staff-accounts.ts';

const IDLE_TTL_MS = 8 * 60 * 60 * 1000;

interface SessionRecord {
  id: string;
  credentialVersion: number;
}

export class StaffSessions {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly accounts: Pick<StaffAccounts, 'current'>,
  ) {}

  /** A new session for `staff`, valid while the account keeps `credentialVersion`. */
  async create(staff: StaffMember, credentialVersion: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const record: SessionRecord = { id: staff.id, credentialVersion };
    await this.kv.set(key(token), JSON.stringify(record), { ttlMs: IDLE_TTL_MS });
    return token;
  }

  /** The staff member of a live session, with their current roles; each use extends it. */
  async find(token: string): Promise<StaffMember | undefined> {
    const raw = await this.kv.get(key(token));
    if (!raw) return undefined;
    const record = JSON.parse(raw) as Partial<SessionRecord>;
    const staff =
      typeof record.id === 'string' && typeof record.credentialVersion === 'number'
        ? await this.accounts.current(record.id, record.credentialVersion)
        : undefined;
    if (!staff) {
      await this.kv.delete(key(token));
      return undefined;
    }
    await this.kv.set(key(token), raw, { ttlMs: IDLE_TTL_MS });
    return staff;
  }

  async destroy(token: string): Promise<void> {
    await this.kv.delete(key(token));
  }
}

const key = (token: string) => `staff-session:${token}`;
