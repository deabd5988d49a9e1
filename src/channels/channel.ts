// The interface every channel implements. A channel is a folder under src/channels with an
// index.ts exporting a ChannelPlugin; src/channels/index.ts lists them. The composition root
// loops over the enabled ones: it mounts their routes, hands their senders to the outbox,
// asks them for a user's language, and starts and stops what they run.
import type { FastifyPluginAsync } from 'fastify';
import type { i18n } from 'i18next';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { AcceptResult } from '../conversation/engine.ts';
import type { ChannelName, InboundEvent } from '../conversation/message.ts';
import type { ChannelSender } from '../conversation/outbox.ts';
import type { DeliveryResult } from '../domain/broadcasts.ts';
import type { Locale } from '../i18n/locales.ts';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';

/** What a platform lets one message carry and what sending costs; flows and tests read it. */
export interface ChannelCapabilities {
  /** Answer buttons one message can carry (more are cut). */
  buttonsPerMessage: number;
  /** Characters of text one message can carry. */
  maxTextLength: number;
  /** Buttons are quick replies that disappear once the patient answers (LINE), not kept under the message. */
  quickReplies: boolean;
  /** Paid pushes a month (LINE's free message quota); undefined when sending costs nothing. */
  paidPushBudgetPerMonth?: number;
  /** How long after a patient's event a free reply is possible (ms); undefined: any time. */
  replyWindowMs?: number;
}

/** One person a bulk call goes to. */
export interface BulkRecipient {
  /** The broadcast recipient's id, echoed in the outcome. */
  id: string;
  channelUserId: string;
}

/** One platform call of a broadcast: the same text to one or more recipients. */
export interface BulkCall {
  /**
   * Names the call, stable when the same call is made again after a crash (LINE sends it as
   * X-Line-Retry-Key: a repeat the platform accepted already answers 409, counted as sent).
   */
  key: string;
  /** The whole notice, footer included, in the recipients' language. */
  text: string;
  recipients: BulkRecipient[];
}

/**
 * How a channel sends the same text to many (hospital broadcasts), at the platform's limit: the
 * bot-wide rate it shares with the conversations, the per-chat rate, a 429 pausing every call of
 * the bot for as long as the platform asks.
 */
export interface BulkSender {
  /** Recipients one call takes (Telegram 1, LINE 500). */
  readonly recipientsPerCall: number;
  /** Waits until the platform's limits allow `call` (it uses no platform call). */
  pace(call: BulkCall): Promise<void>;
  /**
   * Makes the call. Returns each recipient's result (a 403 "blocked" is `blocked`); throws
   * DeliveryError with `retryAfterMs` when the platform asks to wait (nothing was sent).
   * `resend` marks a call made again after a crash, with the same key.
   */
  send(
    call: BulkCall,
    options?: { resend?: boolean },
  ): Promise<{ id: string; result: DeliveryResult; reason?: string }[]>;
  /**
   * Whether a call found `sending` after a crash may be made again: only where the platform
   * recognises the repeat (LINE's retry key). Otherwise it counts as sent, never resent.
   */
  readonly resendsSafely: boolean;
}

/** Where a channel hands what patients send: the conversation engine. */
export interface ChannelInbox {
  accept(event: InboundEvent): Promise<AcceptResult>;
}

/** What a channel may use to build itself. */
export interface ChannelDeps {
  config: Config;
  kv: KeyValueStore;
  /** Seals what a channel keeps of patients' words (the web chat transcript). */
  cipher: { encrypt(plain: string): string; decrypt(sealed: string): string };
  translator: i18n;
  logger: Logger;
  clock: Clock;
  /** Version of the consent text the flows show (the web chat's privacy page). */
  consentVersion: string;
  /** Signs cookies (the web chat session). */
  cookieSecret: string;
  /** Average time between two messages to one chat, where a channel paces them (tests shorten it). */
  perChatIntervalMs?: number;
  /** The instance's metrics (GET /metrics), for channels that count what they see. */
  metrics?: Registry;
}

/** One enabled channel. */
export interface Channel {
  readonly name: ChannelName;
  readonly capabilities: ChannelCapabilities;
  readonly sender: ChannelSender;
  /** How it sends hospital broadcasts; none when the channel takes no broadcasts. */
  readonly bulk?: BulkSender;
  /** Its inbound HTTP routes, registered in their own scope; none when it takes no requests. */
  routes?(inbox: ChannelInbox): FastifyPluginAsync;
  /** The user's language as the platform knows it, for events that carry none. */
  lookupLocale?(channelUserId: string): Promise<Locale | undefined>;
  /** Starts what it runs beside its routes (long polling), once the server listens. */
  start?(inbox: ChannelInbox): Promise<void>;
  /** Stops taking events (before the server closes). */
  stop?(): Promise<void>;
  /** Releases its connections (after the last delivery). */
  close?(): Promise<void>;
}

/** A channel type: builds the channel when its settings are there. */
export interface ChannelPlugin {
  readonly name: ChannelName;
  /** The channel, or undefined when the settings do not enable it. */
  create(deps: ChannelDeps): Channel | undefined;
}
