// The web chat: always on. The page at /chat, the patient's messages in, the transcript out as
// server-sent events; answers are written to the session's transcript.
import cookie from '@fastify/cookie';
import type { Channel, ChannelCapabilities, ChannelPlugin } from '../channel.ts';
import { WebChatBulkSender } from './bulk.ts';
import { WebChatLog } from './chat-log.ts';
import { registerWebChat } from './routes.ts';
import { WebChatSender } from './sender.ts';

/** Our own page: no platform limit on buttons or text. */
export const WEB_CHAT_CAPABILITIES: ChannelCapabilities = {
  buttonsPerMessage: Number.POSITIVE_INFINITY,
  maxTextLength: Number.POSITIVE_INFINITY,
  quickReplies: false,
};

/** The web chat channel, with the transcripts its page reads. */
export interface WebChatChannel extends Channel {
  readonly log: WebChatLog;
}

export const webChatChannel = {
  name: 'web',
  create({ config, kv, cipher, translator, consentVersion, cookieSecret, clock }): WebChatChannel {
    const log = new WebChatLog(kv, cipher);
    return {
      name: 'web',
      capabilities: WEB_CHAT_CAPABILITIES,
      sender: new WebChatSender(log),
      bulk: new WebChatBulkSender(log, clock),
      log,
      // Cookies matter only to the web chat: parsing them on every webhook would be waste.
      routes: (inbox) => async (web) => {
        await web.register(cookie, { secret: cookieSecret });
        registerWebChat(web, {
          inbox,
          log,
          kv,
          translator,
          hospitalName: config.HOSPITAL_NAME,
          consentVersion,
          secureCookies: config.PUBLIC_BASE_URL.startsWith('https://'),
        });
      },
    };
  },
} satisfies ChannelPlugin;

/** Whether `channel` is the web chat (for the transcripts tests and the console read). */
export function isWebChat(channel: Channel): channel is WebChatChannel {
  return channel.name === 'web' && 'log' in channel;
}
