// Composition root: read the settings, start one instance, print where it is, and shut down
// cleanly on SIGTERM/SIGINT. The application is imported only once the settings are read: on the
// embedded default the data directory's initdb child then runs while the application loads.
import { existsSync } from 'node:fs';
import { ConfigError, isProduction, loadConfig, type Config } from './config.ts';
import { chargesAnything } from './domain/payments.ts';
import type { Frontdoor } from './runtime.ts';
import { embeddedDataDir, prepareDataDirAhead } from './storage/embedded-data-dir.ts';

const SHUTDOWN_DEADLINE_MS = 10_000;

function describeStart(config: Config, instance: Frontdoor): string {
  const base = config.PUBLIC_BASE_URL;
  const database = instance.database.embedded
    ? `embedded PostgreSQL (PGlite), data in ${config.DATA_DIR}/pgdata`
    : 'PostgreSQL at DATABASE_URL';
  const redis = config.REDIS_URL
    ? 'Redis at REDIS_URL (shared state and BullMQ jobs)'
    : 'none: in-process stores and job runner (single instance)';
  const fees = config.CONSULTATION_FEES;
  const payments = !chargesAnything(fees)
    ? 'off: consultations are free (CONSULTATION_FEES=0)'
    : config.STRIPE_SECRET_KEY
      ? `Stripe (webhook at ${base}/webhooks/stripe)`
      : `local test-payment page, no money moves (no STRIPE_SECRET_KEY); fees in ${fees.currency}`;
  return [
    '',
    'Frontdoor is running.',
    `  Web chat:      ${base}/chat`,
    `  Channels:      ${instance.channels.join(', ')}`,
    `  Staff console: ${base}/console (queue boards, broadcasts, kiosk at ${base}/kiosk)`,
    `  Hospital API:  ${base}/api/docs (keys: npm run api-key:add)`,
    `  Waiting room:  ${base}/display/<department>, e.g. ${base}/display/general_medicine`,
    ...(instance.demoStaff.length > 0
      ? [
          `  Demo console accounts (embedded default only; passwords kept in ${config.DATA_DIR}):`,
          ...instance.demoStaff.map(
            (staff) => `    ${staff.role.padEnd(8)} ${staff.email}  password ${staff.password}`,
          ),
        ]
      : []),
    `  Health:        ${base}/healthz`,
    `  Readiness:     ${base}/readyz`,
    `  Metrics:       ${base}/metrics${isProduction(config) || config.METRICS_TOKEN ? ' (loopback, or Authorization: Bearer <METRICS_TOKEN>)' : ''}`,
    `  Database:      ${database}`,
    `  Redis:         ${redis}`,
    `  Payments:      ${payments}`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  // Nothing else is printed until the server listens, which the embedded database delays (its
  // creation most, on the first start only).
  if (!config.DATABASE_URL && config.DATA_DIR) {
    const dataDir = embeddedDataDir(config.DATA_DIR);
    process.stdout.write(
      existsSync(dataDir)
        ? `Opening the embedded database in ${dataDir}…\n`
        : `Preparing the embedded database in ${config.DATA_DIR}/ (first start only: a few seconds)…\n`,
    );
    prepareDataDirAhead(dataDir);
  }
  let instance: Frontdoor;
  try {
    const [{ startFrontdoor }, { flowRegistry, CONSENT_TEXT_VERSION }] = await Promise.all([
      import('./runtime.ts'),
      import('./features/index.ts'),
    ]);
    instance = await startFrontdoor(config, { flows: flowRegistry, consentVersion: CONSENT_TEXT_VERSION });
  } catch (error) {
    process.stderr.write(`Frontdoor failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(describeStart(config, instance));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    instance.logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      instance.logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    instance.close().then(
      () => process.exit(0),
      (error: unknown) => {
        instance.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
