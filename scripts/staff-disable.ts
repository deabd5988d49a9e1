// npm run staff:disable -- --email <email>
// Disables a console account: it can no longer sign in, and its open sessions end at their
// next request. `npm run staff:add` for the same email enables it again with a new password.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../src/config.ts';
import { StaffAccounts } from '../src/security/staff-accounts.ts';
import { openDatabase } from '../src/storage/database.ts';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const { values } = parseArgs({ options: { email: { type: 'string' } } });
if (!values.email || !/^[^@\s]+@[^@\s]+$/.test(values.email)) fail('--email <email> is required');

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
// One line, not a stack trace, when the database cannot be opened (a running Frontdoor holds
// the embedded one).
const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR }).catch(
  (error: unknown) => fail(error instanceof Error ? error.message : String(error)),
);
try {
  const outcome = await new StaffAccounts(database.prisma).disable(values.email, new Date());
  if (outcome === 'no-such-account') fail(`no staff account with the email ${values.email}`);
  process.stdout.write(
    outcome === 'disabled'
      ? `Staff account disabled: ${values.email.trim().toLowerCase()} (its sessions have ended)\n`
      : `Staff account already disabled: ${values.email.trim().toLowerCase()}\n`,
  );
} finally {
  await database.close();
}
