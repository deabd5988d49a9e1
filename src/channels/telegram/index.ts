// The Telegram channel: on with TELEGRAM_BOT_TOKEN; updates by webhook (TELEGRAM_MODE=webhook,
// the default) or long polling, replies through the Bot API within Telegram's rate limits.
import type { Channel, ChannelCapabilities, ChannelPlugin } from '../channel.ts';
import { BotApi } from './bot-api.ts';
import { conversationShareOf, TelegramBulkSender } from './bulk.ts';
import { startTelegramPolling } from './polling.ts';
import { TelegramSender } from './sender.ts';
import { registerTelegramWebhook } from './webhook.ts';

/** The Bot API's limits: 100 inline buttons and 4096 characters a message; sending is free. */
export const TELEGRAM_CAPABILITIES: ChannelCapabilities = {
  buttonsPerMessage: 100,
  maxTextLength: 4096,
  quickReplies: false,
};

export const telegramChannel: ChannelPlugin = {
  name: 'telegram',
  create({ config, kv, logger, perChatIntervalMs, metrics }): Channel | undefined {
    const token = config.TELEGRAM_BOT_TOKEN;
    if (!token) return undefined;
    const api = new BotApi(token, config.TELEGRAM_API_ROOT);
    const sender = new TelegramSender(
      api,
      kv,
      { perBotPerSecond: config.TELEGRAM_MAX_PER_SECOND, perChatIntervalMs },
      logger,
      metrics,
    );
    // Telegram's windows and pauses are in Telegram's time (the wall clock, the senders' default).
    const bulk = new TelegramBulkSender(api, kv, {
      perSecond: config.TELEGRAM_BROADCAST_RATE,
      conversationShare: conversationShareOf(config.TELEGRAM_MAX_PER_SECOND),
      perChatIntervalMs,
    });
    let stopPolling: (() => Promise<void>) | undefined;
    return {
      name: 'telegram',
      capabilities: TELEGRAM_CAPABILITIES,
      sender,
      bulk,
      routes:
        config.TELEGRAM_MODE === 'webhook'
          ? (inbox) => (app) => registerTelegramWebhook(app, inbox, config.TELEGRAM_WEBHOOK_SECRET ?? '')
          : undefined,
      async start(inbox) {
        if (config.TELEGRAM_MODE === 'polling')
          stopPolling = await startTelegramPolling(token, config.TELEGRAM_API_ROOT, inbox, logger);
      },
      async stop() {
        await stopPolling?.();
      },
      close: () => api.close(),
    };
  },
};
