// Hospital broadcasts of one instance: the desk keeping them and their recipient outbox in
// PostgreSQL, who an audience reaches, the service the API and the console use, and the
// delivery worker over each enabled channel's bulk sender.
import type { i18n } from 'i18next';
import type { Logger } from 'pino';
import type { BulkSender, Channel } from '../channels/channel.ts';
import type { TimerClock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { ChannelName } from '../conversation/message.ts';
import { BROADCAST_FEED, hospitalLocale, type Broadcasts } from '../domain/broadcasts.ts';
import { BroadcastDelivery } from '../features/broadcasts/delivery.ts';
import { noticeWriter } from '../features/broadcasts/delivery-notice.ts';
import { BroadcastService } from '../features/broadcasts/service.ts';
import type { Hospital } from '../integrations/fhir/hospital.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { FieldCipher } from '../security/field-cipher.ts';
import type { Database } from '../storage/database.ts';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';
import { PrismaAudienceFinder } from '../storage/prisma-audience.ts';
import { PrismaBroadcastDesk } from '../storage/prisma-broadcasts.ts';

export interface BroadcastParts {
  broadcasts: Broadcasts;
  /** Its worker: resumed at start (broadcasts a stopped instance left), stopped before the queue closes. */
  delivery: BroadcastDelivery;
}

export function wireBroadcasts(deps: {
  config: Config;
  database: Database;
  kv: KeyValueStore;
  jobs: JobQueue;
  cipher: FieldCipher;
  hospital: Hospital;
  translator: i18n;
  channels: Channel[];
  clock: TimerClock;
  logger: Logger;
}): BroadcastParts {
  const { config, database, clock } = deps;
  const desk = new PrismaBroadcastDesk(database.prisma, clock);
  const finder = new PrismaAudienceFinder({
    prisma: database.prisma,
    hospital: deps.hospital,
    cipher: deps.cipher,
    timeZone: config.HOSPITAL_TIME_ZONE,
    clock,
  });
  const senders: Partial<Record<ChannelName, BulkSender>> = {};
  for (const channel of deps.channels) if (channel.bulk) senders[channel.name] = channel.bulk;
  const delivery = new BroadcastDelivery({
    desk,
    jobs: deps.jobs,
    senders,
    notice: noticeWriter(deps.translator, hospitalLocale(config.HOSPITAL_COUNTRY), config.HOSPITAL_NAME),
    publish: (broadcastId) => deps.kv.publish(BROADCAST_FEED, broadcastId),
    clock,
    logger: deps.logger,
  });
  // A job per channel the broadcast has recipients on.
  const startDelivery = async (broadcastId: string): Promise<void> => {
    const report = await desk.report(broadcastId);
    if (!report) return;
    const channels = Object.entries(report.channels)
      .filter(([, counts]) => counts.pending > 0)
      .map(([channel]) => channel);
    await delivery.start(broadcastId, channels);
  };
  return {
    broadcasts: new BroadcastService(desk, finder, startDelivery, {
      clock,
      timeZone: config.HOSPITAL_TIME_ZONE,
    }),
    delivery,
  };
}
