// Staff accounts on PostgreSQL: creation, sign-in with lockout after repeated failures.
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
  | { ok: true; staff: StaffMember }
  /** Wrong email or password: one answer for both, so accounts cannot be discovered. */
  | { ok: false; reason: 'invalid' }
  /** The password was right but the account is locked after too many failures. */
  | { ok: false; reason: 'locked'; until: Date };

export interface LockoutPolicy {
  maxFailures: number;
  lockoutMs: number;
}

export class StaffAccounts {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly lockout: LockoutPolicy,
  ) {}

  /** Creates an account, or resets the password and roles of an existing one. */
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
      update: { roles: input.roles, passwordHash, failedLogins: 0, lockedUntil: null, disabledAt: null },
    });
    return member(row);
  }

  async signIn(emailInput: string, password: string, now: Date): Promise<SignInResult> {
    const email = normaliseEmail(emailInput);
    const row = await this.prisma.staffUser.findUnique({ where: { email } });
    if (!row || row.disabledAt) {
      await verifyPassword(await decoyHash(), password);
      return { ok: false, reason: 'invalid' };
    }
    const correct = await verifyPassword(row.passwordHash, password);
    if (row.lockedUntil && row.lockedUntil > now) {
      return correct
        ? { ok: false, reason: 'locked', until: row.lockedUntil }
        : { ok: false, reason: 'invalid' };
    }
    if (!correct) {
      // Counted in the database so that every instance sees the same count.
      const failed = await this.prisma.staffUser.update({
        where: { id: row.id },
        data: { failedLogins: { increment: 1 } },
      });
      if (failed.failedLogins >= this.lockout.maxFailures) {
        await this.prisma.staffUser.update({
          where: { id: row.id },
          data: { failedLogins: 0, lockedUntil: new Date(now.getTime() + this.lockout.lockoutMs) },
        });
      }
      return { ok: false, reason: 'invalid' };
    }
    if (row.failedLogins > 0 || row.lockedUntil) {
      await this.prisma.staffUser.update({
        where: { id: row.id },
        data: { failedLogins: 0, lockedUntil: null },
      });
    }
    return { ok: true, staff: member(row) };
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
