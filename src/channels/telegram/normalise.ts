// Telegram Update → our InboundEvent. Only private chats are served; anything else is
// acknowledged and ignored. The update is parsed against the fields we read before anything
// else (a 400 when one of them is missing or of the wrong type); the rest is left unread.
import { z } from 'zod';
import type { InboundContent, InboundEvent } from '../../conversation/message.ts';
import { resolveLocale } from '../../i18n/locales.ts';
import { cleanString, parseInput, safeId } from '../../server/validation.ts';
import { pressContext } from './context.ts';

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

// Telegram's ids are integers of up to 52 bits: JSON numbers, never strings.
const user = z.object({ id: z.int(), language_code: z.string().max(35).optional() });
const chat = z.object({ id: z.int(), type: z.string() });
const date = z
  .int()
  .min(0)
  .max(2 ** 40);

// Loose: which media key is present is read from the keys we do not type.
const message = z.looseObject({
  chat,
  date,
  from: user.optional(),
  text: cleanString().optional(),
  contact: z.object({ phone_number: cleanString(64), user_id: z.int().optional() }).optional(),
  location: z
    .object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) })
    .optional(),
});

/** The part of a Telegram Update we read. */
export const telegramUpdate = z.object({
  update_id: z.int().min(0),
  message: message.optional(),
  edited_message: z.object({ chat, date, from: user.optional() }).optional(),
  callback_query: z
    .object({
      id: safeId(),
      from: user,
      message: z.object({ chat: z.object({ id: z.int() }) }).optional(),
      data: cleanString(256).optional(),
    })
    .optional(),
  my_chat_member: z
    .object({ chat, date, from: user, new_chat_member: z.object({ status: z.string() }) })
    .optional(),
});

/**
 * The normalised event for `raw`, or undefined when it is not for us to answer. Throws a 400
 * AppError when a field we read is missing or of the wrong type.
 */
export function normaliseTelegramUpdate(raw: unknown): InboundEvent | undefined {
  const update = parseInput(telegramUpdate, raw);
  const dedupeKey = `tg:${update.update_id}`;

  if (update.callback_query) {
    const query = update.callback_query;
    const chatId = query.message?.chat.id ?? query.from.id;
    return {
      channel: 'telegram',
      channelUserId: String(chatId),
      dedupeKey,
      sentAt: Date.now(),
      platformLocale: resolveLocale(query.from.language_code),
      channelContext: pressContext(query.id),
      // Buttons from before a restart, or forged ones, arrive as data we may not know: the
      // flow answers those politely.
      content: { kind: 'button', data: query.data ?? '' },
    };
  }

  if (update.edited_message) {
    const edited = update.edited_message;
    if (edited.chat.type !== 'private') return undefined;
    return base(dedupeKey, edited.chat.id, edited.date, edited.from?.language_code, { kind: 'edited' });
  }

  if (update.my_chat_member) {
    const change = update.my_chat_member;
    if (change.chat.type !== 'private') return undefined;
    const status = change.new_chat_member.status;
    const content: InboundContent | undefined =
      status === 'kicked' ? { kind: 'unfollow' } : status === 'member' ? { kind: 'follow' } : undefined;
    return content && base(dedupeKey, change.chat.id, change.date, change.from.language_code, content);
  }

  const message = update.message;
  if (!message) return undefined;
  if (message.chat.type !== 'private') return undefined;
  const locale = message.from?.language_code;
  if (message.text !== undefined)
    return base(dedupeKey, message.chat.id, message.date, locale, { kind: 'text', text: message.text });
  if (message.contact) {
    const own = message.contact.user_id !== undefined && message.contact.user_id === message.from?.id;
    return base(dedupeKey, message.chat.id, message.date, locale, {
      kind: 'contact',
      phone: message.contact.phone_number,
      ownContact: own,
    });
  }
  if (message.location) {
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
