// Console accounts at start: demo accounts for the embedded default, a real admin required in
// production.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { persistedSecret } from '../security/persisted-secret.ts';
import { DEMO_STAFF_EMAILS, type Role, type StaffAccounts } from '../security/staff-accounts.ts';

export type DemoStaff = { email: string; password: string; role: Role }[];

/**
 * The embedded default has no way to add staff before it runs, so it makes a demo admin, nurse
 * and operator (the desk: queue boards, broadcasts), printed by main.ts at every start. Their passwords are generated once and kept in
 * DATA_DIR (0600, like the session secret), so a restart keeps staff signed in. Never with
 * DATABASE_URL or in production (requireRealAdmin disables them there).
 */
export async function createDemoStaff(accounts: StaffAccounts, dataDir: string): Promise<DemoStaff> {
  const demo = [
    { email: 'admin@frontdoor.local', role: 'admin' as const, displayName: 'Demo admin' },
    { email: 'nurse@frontdoor.local', role: 'nurse' as const, displayName: 'Demo nurse' },
    { email: 'operator@frontdoor.local', role: 'operator' as const, displayName: 'Demo operator' },
  ];
  return Promise.all(
    demo.map(async ({ email, role, displayName }) => {
      const password = await persistedSecret(
        {
          file: `demo-${role}-password`,
          generate: () => randomBytes(12).toString('base64url'),
          valid: (value) => value.length >= 12,
        },
        undefined,
        dataDir,
      );
      await accounts.ensure({ email, displayName, roles: [role], password });
      return { email, password, role };
    }),
  );
}

/**
 * Production has no demo accounts: any left from a demo run on the same data directory are
 * disabled (their passwords were printed), and someone must have created a real admin.
 */
export async function requireRealAdmin(accounts: StaffAccounts, now: Date, logger: Logger): Promise<void> {
  for (const email of DEMO_STAFF_EMAILS) {
    if ((await accounts.disable(email, now)) === 'disabled')
      logger.warn({ email }, 'demo account disabled (NODE_ENV=production)');
  }
  if (!(await accounts.hasAdmin())) {
    throw new Error(
      `no admin account, and NODE_ENV=production creates no demo accounts: create one with printf '%s\\n' "$PASSWORD" | npm run staff:add -- --email <you@hospital> --role admin`,
    );
  }
}
