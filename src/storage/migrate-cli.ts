// `npm run db:migrate`: apply committed migrations to DATABASE_URL without starting the server.
import { ConfigError, loadConfig } from '../config.ts';
import { applyMigrations } from './migrate.ts';

try {
  const config = loadConfig();
  if (!config.DATABASE_URL)
    throw new ConfigError('DATABASE_URL', 'required by db:migrate (the embedded database migrates at start)');
  await applyMigrations(config.DATABASE_URL);
  process.stdout.write('Migrations applied.\n');
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
