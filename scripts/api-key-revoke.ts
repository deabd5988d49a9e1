// npm run api-key:revoke -- --name <name>
// Revokes an API key at once: the next request with it gets 401.
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { ApiKeys } from '../src/security/api-keys.ts';
import { openDatabase } from '../src/storage/database.ts';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const USAGE = `npm run api-key:revoke -- --name <name>
  Revokes the API key called <name> at once: its next request gets 401.
`;

const { values } = parseArgs({
  options: { name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const name = values.name?.trim() ?? '';
if (!name) fail('--name <name> is required');

const config = loadConfig();
// One line, not a stack trace, when the database cannot be opened (a running Frontdoor holds
// the embedded one).
const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR }).catch(
  (error: unknown) => fail(error instanceof Error ? error.message : String(error)),
);
try {
  if (!(await new ApiKeys(database.prisma).revoke(name))) fail(`no live API key called ${name}`);
  process.stdout.write(`API key ${name} revoked\n`);
} finally {
  await database.close();
}
