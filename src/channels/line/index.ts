// The LINE channel: on with LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN; signed webhooks
// in, free replies while the event's reply token lasts and paid pushes otherwise.
import type { Channel, ChannelCapabilities, ChannelPlugin } from '../channel.ts';
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
  create({ config, metrics }): Channel | undefined {
    const secret = config.LINE_CHANNEL_SECRET;
    const token = config.LINE_CHANNEL_ACCESS_TOKEN;
    if (!secret || !token) return undefined;
    const sender = new LineSender(lineClient(token, config.LINE_API_BASE_URL), Date.now, metrics);
    return {
      name: 'line',
      capabilities: LINE_CAPABILITIES,
      sender,
      routes: (inbox) => (app) => registerLineWebhook(app, inbox, secret),
      lookupLocale: (userId) => sender.profileLocale(userId),
    };
  },
};
