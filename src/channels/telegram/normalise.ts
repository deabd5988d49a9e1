// Telegram Update → our InboundEvent. Only private chats are served; anything else is
// acknowledged and ignored.
import type { Update } from 'telegraf/types';
import type { InboundContent, InboundEvent } from '../../conversation/message.ts';
import { resolveLocale } from '../../i18n/locales.ts';

const MEDIA_KINDS = [
  'photo',
  'sticker',
  'voice',
  'video',
  'video_note',
  'audio',
  'document',
  'animation',
  'poll',
  'dice',
];

/** The normalised event for `update`, or undefined when it is not for us to answer. */
export function normaliseTelegramUpdate(update: Update): InboundEvent | undefined {
  const dedupeKey = `tg:${update.update_id}`;

  if ('callback_query' in update) {
    const query = update.callback_query;
    const chatId = query.message?.chat.id ?? query.from.id;
    return {
      channel: 'telegram',
      channelUserId: String(chatId),
      dedupeKey,
      sentAt: Date.now(),
      platformLocale: resolveLocale(query.from.language_code),
      callbackQueryId: query.id,
      // Buttons from before a restart, or forged ones, arrive as data we may not know: the
      // flow answers those politely.
      content: { kind: 'button', data: 'data' in query ? query.data : '' },
    };
  }

  if ('edited_message' in update) {
    const message = update.edited_message;
    if (message.chat.type !== 'private') return undefined;
    return base(dedupeKey, message.chat.id, message.date, message.from?.language_code, { kind: 'edited' });
  }

  if ('my_chat_member' in update) {
    const change = update.my_chat_member;
    if (change.chat.type !== 'private') return undefined;
    const status = change.new_chat_member.status;
    const content: InboundContent | undefined =
      status === 'kicked' ? { kind: 'unfollow' } : status === 'member' ? { kind: 'follow' } : undefined;
    return content && base(dedupeKey, change.chat.id, change.date, change.from.language_code, content);
  }

  if (!('message' in update)) return undefined;
  const message = update.message;
  if (message.chat.type !== 'private') return undefined;
  const locale = message.from?.language_code;
  if ('text' in message)
    return base(dedupeKey, message.chat.id, message.date, locale, { kind: 'text', text: message.text });
  if ('contact' in message) {
    const own = message.contact.user_id !== undefined && message.contact.user_id === message.from?.id;
    return base(dedupeKey, message.chat.id, message.date, locale, {
      kind: 'contact',
      phone: message.contact.phone_number,
      ownContact: own,
    });
  }
  if ('location' in message) {
    return base(dedupeKey, message.chat.id, message.date, locale, {
      kind: 'location',
      latitude: message.location.latitude,
      longitude: message.location.longitude,
    });
  }
  const mediaType = MEDIA_KINDS.find((kind) => kind in message) ?? 'other';
  return base(dedupeKey, message.chat.id, message.date, locale, { kind: 'media', mediaType });
}

function base(
  dedupeKey: string,
  chatId: number,
  date: number,
  languageCode: string | undefined,
  content: InboundContent,
): InboundEvent {
  return {
    channel: 'telegram',
    channelUserId: String(chatId),
    dedupeKey,
    sentAt: date * 1000,
    platformLocale: resolveLocale(languageCode),
    content,
  };
}
