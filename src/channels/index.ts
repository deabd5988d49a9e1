// The channels Frontdoor knows, in the order they are listed at start. A new channel is a
// folder with an index.ts exporting its ChannelPlugin, and one line here.
import type { Channel, ChannelDeps, ChannelPlugin } from './channel.ts';
import { lineChannel } from './line/index.ts';
import { telegramChannel } from './telegram/index.ts';
import type { WebChatLog } from './web/chat-log.ts';
import { isWebChat, webChatChannel } from './web/index.ts';

export type { WebChatLog };

export const CHANNEL_PLUGINS: readonly ChannelPlugin[] = [webChatChannel, telegramChannel, lineChannel];

/** The channels the settings enable. */
export function enabledChannels(deps: ChannelDeps, plugins = CHANNEL_PLUGINS): Channel[] {
  return plugins.flatMap((plugin) => plugin.create(deps) ?? []);
}

/** The web chat's transcripts (always on: tests and the instance read them as the page would). */
export function webChatLogOf(channels: Channel[]): WebChatLog {
  const web = channels.find(isWebChat);
  if (!web) throw new Error('the web chat channel is not in CHANNEL_PLUGINS');
  return web.log;
}
