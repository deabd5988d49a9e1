// The queue desk of one instance: the PostgreSQL desk with its settings, the channels' monthly
// push budgets (also on /metrics) and the signed check-in and live-ticket links.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { ConversationNotifier } from '../conversation/notifier.ts';
import type { Hospital } from '../integrations/fhir/hospital.ts';
import { CheckInTokens } from '../security/checkin-token.ts';
import type { FieldCipher } from '../security/field-cipher.ts';
import type { Database } from '../storage/database.ts';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';
import { PrismaQueue, type QueueSettings } from '../storage/prisma-queue.ts';
import { PushBudget } from '../storage/queue-push-budget.ts';

export interface QueueParts {
  queue: PrismaQueue;
  checkInTokens: CheckInTokens;
  pushes: PushBudget;
}

/** The desk's rules from the settings. */
export const queueSettings = (config: Config): QueueSettings => ({
  timeZone: config.HOSPITAL_TIME_ZONE,
  checkInWindow: config.CHECKIN_WINDOW_MINUTES,
  notifyAhead: config.QUEUE_NOTIFY_AHEAD,
  maxRecalls: config.QUEUE_MAX_RECALLS,
  departments: config.QUEUE_DEPARTMENTS,
  graceMinutes: config.QUEUE_GRACE_MINUTES,
  serviceMinutes: config.QUEUE_SERVICE_MINUTES,
  walkInEvery: config.QUEUE_WALK_IN_EVERY,
});

export function wireQueue(deps: {
  config: Config;
  database: Database;
  kv: KeyValueStore;
  cipher: FieldCipher;
  hospital: Hospital;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  channels: string[];
  /** Tells a conversation (called only once the engine runs). */
  conversations: ConversationNotifier;
}): QueueParts {
  const { config, clock } = deps;
  const pushes = new PushBudget(deps.kv, config.CHANNEL_PUSH_BUDGETS, config.HOSPITAL_TIME_ZONE, clock);
  pushes.register(deps.metrics, deps.channels);
  const queue = new PrismaQueue({
    prisma: deps.database.prisma,
    cipher: deps.cipher,
    hospital: deps.hospital,
    notifier: deps.conversations,
    kv: deps.kv,
    pushes,
    clock,
    logger: deps.logger,
    settings: queueSettings(config),
  });
  const checkInTokens = new CheckInTokens(
    deps.cipher.derivedKey('checkin-links'),
    config.PUBLIC_BASE_URL,
    config.HOSPITAL_TIME_ZONE,
    clock,
  );
  return { queue, checkInTokens, pushes };
}
