// npm run staff:add -- --email <email> --role <role> [--name <display name>]
// Creates a console account (or resets its password and roles, enabling it again and ending its
// open sessions). The password is read from standard input, so it never appears in the shell
// history or the process list.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../src/config.ts';
import { MIN_PASSWORD_LENGTH } from '../src/security/passwords.ts';
import { STAFF_ROLES, StaffAccounts, isRole } from '../src/security/staff-accounts.ts';
import { openDatabase } from '../src/storage/database.ts';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (input is shown; pipe it in to hide it): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    if (process.stdin.isTTY && chunk.includes('\n')) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

const { values } = parseArgs({
  options: { email: { type: 'string' }, role: { type: 'string', multiple: true }, name: { type: 'string' } },
});
if (!values.email || !/^[^@\s]+@[^@\s]+$/.test(values.email)) fail('--email <email> is required');
const roles = values.role ?? [];
if (roles.length === 0 || !roles.every(isRole)) fail(`--role must be one of ${STAFF_ROLES.join(', ')}`);
const password = await readPassword();
if (password.length < MIN_PASSWORD_LENGTH)
  fail(`the password must be at least ${MIN_PASSWORD_LENGTH} characters long`);

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
// Opening the database applies any pending migration.
// One line, not a stack trace, when the database cannot be opened (a running Frontdoor holds
// the embedded one).
const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR }).catch(
  (error: unknown) => fail(error instanceof Error ? error.message : String(error)),
);
try {
  const accounts = new StaffAccounts(database.prisma);
  const staff = await accounts.upsert({ email: values.email, displayName: values.name, roles, password });
  process.stdout.write(`Staff account ready: ${staff.email} (${staff.roles.join(', ')})\n`);
} finally {
  await database.close();
}
