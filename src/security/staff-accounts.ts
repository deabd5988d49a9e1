// Staff accounts on PostgreSQL: creation, disabling, password checks, and whether a session's
// account is still as it was when the session began.
import type { PrismaClient, StaffRole } from '../generated/prisma/client.ts';
import { decoyHash, hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from './passwords.ts';

export const STAFF_ROLES = [
  'nurse',
  'doctor',
  'pharmacist',
  'operator',
  'admin',
] as const satisfies readonly StaffRole[];
export type Role = (typeof STAFF_ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (STAFF_ROLES as readonly string[]).includes(value);
}

export interface StaffMember {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
}

export type SignInResult =
  | { ok: true; staff: StaffMember; credentialVersion: number }
  /**
   * Wrong email or password, or a disabled account: one answer for all, so accounts cannot
   * be discovered. `why` is for the audit log only.
   */
  | { ok: false; reason: 'invalid'; why: 'no-such-account' | 'disabled' | 'wrong-password' };

/** Former lockout settings; throttling lives in SignInThrottle now. Kept so callers compile. */
export interface LockoutPolicy {
  maxFailures: number;
  lockoutMs: number;
}

/** The demo accounts the embedded default makes; never used in production. */
export const DEMO_STAFF_EMAILS = [
  'admin@frontdoor.local',
  'nurse@frontdoor.local',
  'operator@frontdoor.local',
];

export class StaffAccounts {
  constructor(
    private readonly prisma: PrismaClient,
    /** Ignored: see LockoutPolicy. */
    _lockout?: LockoutPolicy,
  ) {}

  /**
   * Creates an account, or resets the password and roles of an existing one (enabling it
   * again). Either change ends the account's open sessions.
   */
  async upsert(input: {
    email: string;
    displayName?: string;
    roles: Role[];
    password: string;
  }): Promise<StaffMember> {
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw new Error(`the password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
    }
    const email = normaliseEmail(input.email);
    const passwordHash = await hashPassword(input.password);
    const displayName = input.displayName ?? email.split('@')[0] ?? email;
    const row = await this.prisma.staffUser.upsert({
      where: { email },
      create: { email, displayName, roles: input.roles, passwordHash },
      update: {
        roles: input.roles,
        passwordHash,
        disabledAt: null,
        credentialVersion: { increment: 1 },
      },
    });
    return member(row);
  }

  /**
   * Like upsert, but leaves an enabled account that already has these roles and this password
   * as it is, so its open sessions go on (the demo accounts at every embedded start).
   */
  async ensure(input: {
    email: string;
    displayName?: string;
    roles: Role[];
    password: string;
  }): Promise<void> {
    const row = await this.prisma.staffUser.findUnique({ where: { email: normaliseEmail(input.email) } });
    const same =
      row &&
      !row.disabledAt &&
      [...row.roles].sort().join() === [...input.roles].sort().join() &&
      (await verifyPassword(row.passwordHash, input.password));
    if (!same) await this.upsert(input);
  }

  /** Disables an account and ends its sessions (staff:add for it enables it again). */
  async disable(emailInput: string, now: Date): Promise<'disabled' | 'already-disabled' | 'no-such-account'> {
    const email = normaliseEmail(emailInput);
    const { count } = await this.prisma.staffUser.updateMany({
      where: { email, disabledAt: null },
      data: { disabledAt: now, credentialVersion: { increment: 1 } },
    });
    if (count > 0) return 'disabled';
    const exists = await this.prisma.staffUser.findUnique({ where: { email }, select: { id: true } });
    return exists ? 'already-disabled' : 'no-such-account';
  }

  async signIn(emailInput: string, password: string): Promise<SignInResult> {
    const email = normaliseEmail(emailInput);
    const row = await this.prisma.staffUser.findUnique({ where: { email } });
    if (!row || row.disabledAt) {
      // Verified anyway, so the time taken does not tell which accounts exist.
      await verifyPassword(await decoyHash(), password);
      return { ok: false, reason: 'invalid', why: row ? 'disabled' : 'no-such-account' };
    }
    if (!(await verifyPassword(row.passwordHash, password))) {
      return { ok: false, reason: 'invalid', why: 'wrong-password' };
    }
    return { ok: true, staff: member(row), credentialVersion: row.credentialVersion };
  }

  /**
   * The account behind a session made under `credentialVersion`, as it is now; undefined once
   * it is disabled or its password or roles changed since.
   */
  async current(id: string, credentialVersion: number): Promise<StaffMember | undefined> {
    const row = await this.prisma.staffUser.findUnique({ where: { id } });
    if (!row || row.disabledAt || row.credentialVersion !== credentialVersion) return undefined;
    return member(row);
  }

  /** Whether some enabled account can administer (production refuses to start without one). */
  async hasAdmin(): Promise<boolean> {
    const admin = await this.prisma.staffUser.findFirst({
      where: { roles: { has: 'admin' }, disabledAt: null },
      select: { id: true },
    });
    return admin !== null;
  }

  async list(): Promise<StaffMember[]> {
    const rows = await this.prisma.staffUser.findMany({ orderBy: { email: 'asc' } });
    return rows.map(member);
  }
}

function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function member(row: { id: string; email: string; displayName: string; roles: StaffRole[] }): StaffMember {
  return { id: row.id, email: row.email, displayName: row.displayName, roles: row.roles.filter(isRole) };
}
