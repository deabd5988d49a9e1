// Hospital broadcasts as the rest of Frontdoor sees them: who a notice goes to, in which
// language, and how far its delivery has got. Plain data and pure rules; the desk that keeps
// broadcasts and their recipient outbox (BroadcastDesk) is implemented over PostgreSQL in
// src/storage/, the delivery worker in src/features/broadcasts/.
import type { ChannelName } from '../conversation/message.ts';
import { DEFAULT_LOCALE, SUPPORTED_LOCALES, type Locale } from '../i18n/locale-codes.ts';
import type { Department } from './triage.ts';

/** Who a broadcast goes to. */
export type Audience =
  /** Everyone with a booked, awaiting-approval or checked-in appointment on a hospital-zone day. */
  | { kind: 'appointments'; date: string; department?: Department; doctor?: string }
  /** Everyone holding a waiting or called ticket in a department's queue today. */
  | { kind: 'queue'; department: Department }
  /** Everyone who said yes to hospital notices and has not said "stop" since. */
  | { kind: 'subscribers' };

/**
 * Appointment and queue notices are about the patient's own care ("Dr Minh is 30 minutes
 * late"): they reach patients who said "stop", which opts out of the other kind only.
 */
export const isAboutCare = (audience: Audience): boolean => audience.kind !== 'subscribers';

/** The notice in each language it was written in; at least one. */
export type BroadcastTexts = Partial<Record<Locale, string>>;

/**
 * One character limit for every channel's notice: Telegram's 4,096 less room for the heading
 * naming the hospital and the footer (test/unit/broadcast-notice.test.ts checks they fit).
 */
export const MAX_BROADCAST_TEXT = 3_500;

/** Who sent a broadcast, as its report and the audit log name them. */
export type BroadcastSender =
  { kind: 'staff'; staffId: string; label: string } | { kind: 'api-key'; name: string };

export const senderLabel = (sender: BroadcastSender): string =>
  sender.kind === 'staff' ? sender.label : `api-key:${sender.name}`;

/** What a hospital system or the console asks for. */
export interface BroadcastRequest {
  audience: Audience;
  texts: BroadcastTexts;
  /** The same key again returns the broadcast it made, and makes no second one. */
  idempotencyKey: string;
  sender: BroadcastSender;
}

/** One person a broadcast reaches, on the channel they use. */
export interface Recipient {
  patientId: string;
  channel: ChannelName;
  channelUserId: string;
  locale: Locale;
}

/** sending → done (nothing pending) | cancelled (what was pending was dropped). */
export type BroadcastStatus = 'sending' | 'done' | 'cancelled';

/**
 * Where one recipient stands. pending → claimed (a worker took it) → sending (the platform call
 * is being made: a crash here is recovered by the platform's retry key where there is one) →
 * sent | failed | blocked; pending | claimed → cancelled.
 */
export type RecipientState = 'pending' | 'claimed' | 'sending' | 'sent' | 'failed' | 'blocked' | 'cancelled';

/** How a platform call ended for one recipient. */
export type DeliveryResult = 'sent' | 'failed' | 'blocked';

export interface DeliveryCounts {
  total: number;
  sent: number;
  failed: number;
  /** The patient blocked the bot (Telegram 403): counted, never retried. */
  blocked: number;
  /** Not sent yet (pending, claimed or being sent). */
  pending: number;
  cancelled: number;
}

export interface BroadcastReport extends DeliveryCounts {
  id: string;
  status: BroadcastStatus;
  audience: Audience;
  texts: BroadcastTexts;
  sentBy: string;
  /** Epoch ms. */
  createdAt: number;
  finishedAt?: number;
  channels: Record<ChannelName, DeliveryCounts>;
}

/** Who an audience reaches now, before anything is sent (the composer's count). */
export interface AudienceCount {
  total: number;
  channels: Record<ChannelName, number>;
  /** Recipients by their language, so the composer can flag a language with no text. */
  locales: Partial<Record<Locale, number>>;
}

/** Recipients a worker took for one platform call or a few. */
export interface ClaimedRecipient {
  id: string;
  channelUserId: string;
  locale: Locale;
}

/** A platform call that was being made when its worker stopped. */
export interface InterruptedCall {
  /** The call's key (LINE's X-Line-Retry-Key); the same recipients resent with it are not sent twice. */
  key: string;
  recipients: ClaimedRecipient[];
}

/**
 * The broadcasts and their recipient outbox. One run at a time works a broadcast's recipients on
 * one channel (`run` names it); a run that starts takes over whatever an earlier, dead run of
 * the same broadcast and channel left claimed or sending.
 */
export interface BroadcastDesk {
  /**
   * Keeps a broadcast and all its recipients in one transaction (unique on broadcast and
   * recipient). The same idempotency key again, even at the same moment, returns the first
   * broadcast with `created: false`.
   */
  create(
    request: BroadcastRequest,
    recipients: Recipient[],
  ): Promise<{ id: string; recipients: number; created: boolean }>;
  /** The broadcast an idempotency key made, if any (a repeat needs no audience looked up). */
  made(idempotencyKey: string): Promise<{ id: string; recipients: number; created: false } | undefined>;
  report(id: string): Promise<BroadcastReport | undefined>;
  /** Most recent first. */
  list(limit: number): Promise<BroadcastReport[]>;
  /** Drops what was not sent yet (pending or claimed); undefined for an unknown broadcast. */
  cancel(id: string): Promise<BroadcastReport | undefined>;
  /** Broadcasts still sending, with the channels that have recipients not yet final. */
  unfinished(): Promise<{ id: string; channels: ChannelName[] }[]>;

  /**
   * Starts run `run` on a broadcast's channel: recipients an earlier run left claimed go back to
   * pending; those it left sending are returned, grouped by call key, for the channel to settle.
   */
  takeOver(broadcastId: string, channel: ChannelName, run: string): Promise<InterruptedCall[]>;
  /** Up to `max` pending recipients of one language (the one with most pending first), claimed for `run`. */
  claim(broadcastId: string, channel: ChannelName, run: string, max: number): Promise<ClaimedRecipient[]>;
  /**
   * Marks claimed recipients as being sent under `key`, just before the platform call; false
   * when the run no longer holds them (cancelled, or a later run took over): do not call.
   */
  sending(run: string, key: string, recipientIds: string[]): Promise<boolean>;
  /** Records how calls ended; a recipient's final state is written once. */
  settle(outcomes: { id: string; result: DeliveryResult; reason?: string }[]): Promise<void>;
  /** Puts claimed or sending recipients back to pending (the platform refused for now: a 429). */
  release(run: string, recipientIds: string[]): Promise<void>;
  /** Marks the broadcast done when no recipient on any channel is left to send. */
  finishIfDone(broadcastId: string): Promise<boolean>;
}

/** Finds who an audience reaches (the hospital's appointments, today's queue, subscribers). */
export interface AudienceFinder {
  recipients(audience: Audience): Promise<Recipient[]>;
}

/** The language of a country's hospital, for recipients whose language has no text. */
const LOCALE_OF_COUNTRY: Record<string, Locale> = {
  VN: 'vi',
  CN: 'zh-CN',
  TW: 'zh-CN',
  SG: 'en',
  FR: 'fr',
  BE: 'fr',
  TH: 'th',
  JP: 'ja',
};

export const hospitalLocale = (country: string): Locale => LOCALE_OF_COUNTRY[country] ?? DEFAULT_LOCALE;

/**
 * The text a recipient reads: their language, else the hospital's, else English, else the first
 * written in the order the languages ship in (en, vi, zh-CN, fr, th, ja). Never a missing text.
 */
export function textFor(
  texts: BroadcastTexts,
  locale: Locale,
  hospital: Locale,
): { locale: Locale; text: string } {
  const chosen = textLocale(texts, locale, hospital);
  if (!chosen) throw new Error('a broadcast has at least one text');
  return { locale: chosen, text: texts[chosen]! };
}

/**
 * The language of the text a reader of `locale` gets (textFor's rule, which the console's
 * composer shows too): theirs, the hospital's, English, else the first shipped language written.
 */
export function textLocale(texts: BroadcastTexts, locale: Locale, hospital: Locale): Locale | undefined {
  return [locale, hospital, DEFAULT_LOCALE, ...SUPPORTED_LOCALES].find((candidate) =>
    texts[candidate]?.trim(),
  );
}

/** Consent purpose of hospital notices (the subscribers audience); "stop" records it refused. */
export const HOSPITAL_NOTICES = 'hospital-notices';

/** Where delivery progress is published (a broadcast's id), for the console's live report. */
export const BROADCAST_FEED = 'broadcasts:progress';

/** Broadcasts as the hospital API and the console use them. */
export interface Broadcasts {
  /** Who the audience reaches now. */
  count(audience: Audience): Promise<AudienceCount>;
  /** Finds the recipients, keeps the broadcast and starts its delivery (idempotent on the key). */
  send(request: BroadcastRequest): Promise<{ id: string; recipients: number; created: boolean }>;
  report(id: string): Promise<BroadcastReport | undefined>;
  list(limit: number): Promise<BroadcastReport[]>;
  cancel(id: string): Promise<BroadcastReport | undefined>;
}
