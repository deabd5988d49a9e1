// Console sessions in the key-value store, shared by every instance: an opaque random token in
// the cookie, who it belongs to on the server. Idle sessions expire; signing out deletes them.
import { randomBytes } from 'node:crypto';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';
import type { StaffMember } from './staff-accounts.ts';

const IDLE_TTL_MS = 8 * 60 * 60 * 1000;

export class StaffSessions {
  constructor(private readonly kv: KeyValueStore) {}

  async create(staff: StaffMember): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.kv.set(key(token), JSON.stringify(staff), { ttlMs: IDLE_TTL_MS });
    return token;
  }

  /** The staff member of a live session; each use extends it. */
  async find(token: string): Promise<StaffMember | undefined> {
    const raw = await this.kv.get(key(token));
    if (!raw) return undefined;
    await this.kv.set(key(token), raw, { ttlMs: IDLE_TTL_MS });
    return JSON.parse(raw) as StaffMember;
  }

  async destroy(token: string): Promise<void> {
    await this.kv.delete(key(token));
  }
}

const key = (token: string) => `staff-session:${token}`;
