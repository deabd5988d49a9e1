// The normalised message shapes: the lowest layer, shared by flows, the engine and channels.
// Flows see only these; each channel adapter converts to and from its platform's format.
import type { Locale } from '../i18n/locales.ts';

/** The name a channel plugin serves under ("telegram", "line", "web"; see src/channels/index.ts). */
export type ChannelName = string;

/** A JSON value, as a channel context must be to travel through the inbox and outbox. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * What a channel attaches to an inbound event for its own sender (LINE's reply token, the
 * Telegram button press to acknowledge). Only the channel that made it reads `data`; the engine
 * copies it onto the answer's batch and the outbox carries it to the channel's sender.
 */
export interface ChannelContext {
  /** The sender must see the answer's batch even when the step sends nothing (a press to acknowledge). */
  answerEvenIfSilent?: boolean;
  data: { [key: string]: Json };
}

/** Which conversation an event belongs to: one per patient account on one channel. */
export interface ConversationAddress {
  channel: ChannelName;
  /** Telegram chat id, LINE user id, web chat session id. */
  channelUserId: string;
}

/** What the patient sent, independent of the platform. */
export type InboundContent =
  | { kind: 'text'; text: string }
  /** A press on one of our buttons; `data` is what we attached to it. */
  | { kind: 'button'; data: string }
  | { kind: 'location'; latitude: number; longitude: number; address?: string }
  | { kind: 'contact'; phone: string; ownContact: boolean }
  /** Photo, sticker, voice, file…: acknowledged politely, not read. */
  | { kind: 'media'; mediaType: string }
  /** An edit of an earlier message: not re-processed. */
  | { kind: 'edited' }
  | { kind: 'follow' }
  | { kind: 'unfollow' };

/** One inbound event from a patient, after signature check and parsing. */
export interface InboundEvent extends ConversationAddress {
  /** Unique per platform event (Telegram update_id, LINE webhookEventId, web message id). */
  dedupeKey: string;
  /** How long a redelivery is recognised, when shorter than the default 48 h (web chat). */
  dedupeTtlMs?: number;
  content: InboundContent;
  /** The language the platform reports for this user, when it does. */
  platformLocale?: Locale;
  /** When the platform says the event happened (epoch ms). */
  sentAt: number;
  /** Platform fields only the event's channel reads (see ChannelContext). */
  channelContext?: ChannelContext;
}

/** A button that answers the flow. */
export interface Choice {
  label: string;
  data: string;
}

/** A message to a patient, which each channel renders natively. */
export interface OutboundMessage {
  text: string;
  /** Answer buttons (inline keyboard, quick replies, web buttons). */
  choices?: Choice[];
  /** Buttons that open a URL. */
  links?: { label: string; url: string }[];
  /** Buttons that dial a number (tel: where the channel allows, the number as text elsewhere). */
  calls?: { label: string; number: string }[];
  /** Ask the platform to share the patient's location or phone number. */
  request?: { kind: 'location' | 'contact'; label: string };
  /** An image, e.g. a QR code, shown with `text` as its caption. */
  image?: { url: string; alt: string };
  /** Emergency guidance: shown on its own and set apart where the channel can. */
  urgent?: boolean;
}

/** The key under which everything of one conversation is stored; braces keep it in one Redis Cluster slot. */
export function conversationKey(address: ConversationAddress): string {
  return `{${address.channel}:${address.channelUserId}}`;
}

/** The address a `conversationKey` was made from. */
export function addressOf(key: string): ConversationAddress {
  const inner = key.slice(1, -1);
  const colon = inner.indexOf(':');
  return { channel: inner.slice(0, colon), channelUserId: inner.slice(colon + 1) };
}
