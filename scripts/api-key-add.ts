// npm run api-key:add -- --name <name> --scope <scope> [--scope <scope>…]
// Makes an API key and prints it once; only its hash is stored. Scopes (--scope again for more
// than one): fhir (read the built-in hospital at /fhir/R4), queues (the hospital API's queue
// boards and call-next), broadcasts (the hospital API's broadcasts: send, report, cancel).
// With the embedded database, run it while the server is stopped.
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { API_KEY_SCOPES, ApiKeys, isApiKeyScope } from '../src/security/api-keys.ts';
import { openDatabase } from '../src/storage/database.ts';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const USAGE = `npm run api-key:add -- --name <name> --scope <scope> [--scope <scope>…]
  Makes an API key and prints it once (only its hash is stored). Scopes:
    fhir        read the built-in hospital at /fhir/R4
    queues      the hospital API's queue boards and call-next (/api/v1/queues)
    broadcasts  the hospital API's broadcasts: send, report, cancel (/api/v1/broadcasts)
  The hospital API is described at /api/docs.
`;

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    scope: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const name = values.name?.trim() ?? '';
if (!/^[\w.@-]{1,100}$/.test(name)) fail('--name <name> is required (letters, digits, . _ - @)');
const scopes = values.scope ?? [];
if (scopes.length === 0 || !scopes.every(isApiKeyScope))
  fail(`--scope must be one of ${API_KEY_SCOPES.join(', ')} (repeat --scope for more than one)`);

const config = loadConfig();
// Opening the database applies any pending migration.
// One line, not a stack trace, when the database cannot be opened (a running Frontdoor holds
// the embedded one).
const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR }).catch(
  (error: unknown) => fail(error instanceof Error ? error.message : String(error)),
);
try {
  const key = await new ApiKeys(database.prisma).add(name, scopes);
  if (!key)
    fail(`an API key called ${name} exists: revoke it first (npm run api-key:revoke -- --name ${name})`);
  process.stderr.write(`API key ${name} (${scopes.join(', ')}); it is shown only now:\n`);
  process.stdout.write(`${key}\n`);
} finally {
  await database.close();
}
