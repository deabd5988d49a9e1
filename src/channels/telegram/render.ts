// OutboundMessage → Telegram Bot API calls.
import type {
  InlineKeyboardButton,
  ReplyKeyboardMarkup,
  InlineKeyboardMarkup,
  ReplyKeyboardRemove,
} from 'telegraf/types';
import type { OutboundMessage } from '../../conversation/message.ts';

export interface TelegramCall {
  method: 'sendMessage' | 'sendPhoto';
  payload: Record<string, unknown>;
}

/**
 * Telegram refuses URL buttons to hosts it cannot reach (localhost, bare IPs), which is where a
 * development instance's own pages live: those links go into the text instead.
 */
const buttonable = (link: { url: string }) => {
  try {
    const url = new URL(link.url);
    return /^https?:$/.test(url.protocol) && url.hostname.includes('.') && !/^[\d.]+$|^\[/.test(url.hostname);
  } catch {
    return false;
  }
};

/** The text with the links that cannot be buttons written under it. */
function textWithLinks(message: OutboundMessage): string {
  const inText = (message.links ?? []).filter((link) => !buttonable(link));
  // URL buttons refuse tel:; a number in the text is one tap away in Telegram's apps.
  const calls = (message.calls ?? []).map((call) => `📞 ${call.number}`);
  return [
    message.text,
    ...inText.map((link) => `${link.label}: ${link.url}`),
    ...(calls.length > 0 ? [calls.join('\n')] : []),
  ].join('\n\n');
}

/** Two short buttons share a row; long labels get a row each, as people read them on phones. */
function inlineRows(message: OutboundMessage): InlineKeyboardButton[][] {
  const buttons: InlineKeyboardButton[] = [
    ...(message.choices ?? []).map((choice) => ({ text: choice.label, callback_data: choice.data })),
    ...(message.links ?? []).filter(buttonable).map((link) => ({ text: link.label, url: link.url })),
  ];
  const rows: InlineKeyboardButton[][] = [];
  for (const button of buttons) {
    const last = rows.at(-1);
    if (last && last.length === 1 && button.text.length <= 16 && last[0]!.text.length <= 16)
      last.push(button);
    else rows.push([button]);
  }
  return rows;
}

function replyMarkup(
  message: OutboundMessage,
): InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove {
  if (message.request) {
    return {
      keyboard: [
        [
          message.request.kind === 'contact'
            ? { text: message.request.label, request_contact: true }
            : { text: message.request.label, request_location: true },
        ],
      ],
      resize_keyboard: true,
      one_time_keyboard: true,
    };
  }
  const rows = inlineRows(message);
  // A plain message also clears a share-contact keyboard left from an earlier question.
  return rows.length > 0 ? { inline_keyboard: rows } : { remove_keyboard: true };
}

/** The Bot API call that shows `message` in chat `chatId`. */
export function renderTelegram(chatId: string, message: OutboundMessage): TelegramCall {
  const reply_markup = replyMarkup(message);
  if (message.image) {
    return {
      method: 'sendPhoto',
      payload: { chat_id: chatId, photo: message.image.url, caption: textWithLinks(message), reply_markup },
    };
  }
  return {
    method: 'sendMessage',
    payload: {
      chat_id: chatId,
      text: textWithLinks(message),
      reply_markup,
      link_preview_options: { is_disabled: true },
    },
  };
}
