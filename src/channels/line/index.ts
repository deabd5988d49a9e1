// The LINE channel: on with LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN; signed webhooks
// in, free replies while the event's reply token lasts and paid pushes otherwise.
import type { Channel, ChannelCapabilities, ChannelPlugin } from '../channel.ts';
import { LineBulkSender } from './bulk.ts';
import { REPLY_WINDOW_MS } from './context.ts';
import { QUICK_REPLY_MAX, TEXT_MAX } from './render.ts';
import { LineSender, lineClient } from './sender.ts';
import { registerLineWebhook } from './webhook.ts';

export const LINE_CAPABILITIES: ChannelCapabilities = {
  buttonsPerMessage: QUICK_REPLY_MAX,
  maxTextLength: TEXT_MAX,
  quickReplies: true,
  // The free message quota of LINE's smallest (Communication) plan in Japan; plans and
  // countries differ, and pushes beyond it are refused or billed.
  paidPushBudgetPerMonth: 200,
  replyWindowMs: REPLY_WINDOW_MS,
};

export const lineChannel: ChannelPlugin = {
  name: 'line',
  create({ config, kv, metrics }): Channel | undefined {
    const secret = config.LINE_CHANNEL_SECRET;
    const token = config.LINE_CHANNEL_ACCESS_TOKEN;
    if (!secret || !token) return undefined;
    const client = lineClient(token, config.LINE_API_BASE_URL);
    const sender = new LineSender(client, Date.now, metrics);
    // LINE's rate windows are in LINE's time: the wall clock (the bulk sender's default).
    const bulk = new LineBulkSender(client, kv, { perSecond: config.LINE_MULTICAST_RATE });
    return {
      name: 'line',
      capabilities: LINE_CAPABILITIES,
      sender,
      bulk,
      routes: (inbox) => (app) => registerLineWebhook(app, inbox, secret),
      lookupLocale: (userId) => sender.profileLocale(userId),
    };
  },
};
