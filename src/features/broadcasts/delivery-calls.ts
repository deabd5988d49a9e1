// How a run cuts its work into platform calls: how many it keeps in flight, and the claimed
// recipients (one language at a time) as calls of the platform's size, each under a new key.
import { randomUUID } from 'node:crypto';
import type { BulkCall, BulkSender } from '../../channels/channel.ts';
import type { ClaimedRecipient } from '../../domain/broadcasts.ts';
import type { Locale } from '../../i18n/locales.ts';

/**
 * Calls one run keeps in flight on a channel: a one-recipient-per-call platform (Telegram) needs
 * many to reach a 1,000/s paid limit while each waits on its intent write and the answer; a
 * 500-recipient call (LINE) needs few.
 */
export function lanesFor(bulk: Pick<BulkSender, 'recipientsPerCall'>): number {
  return Math.max(2, Math.min(48, Math.ceil(48 / bulk.recipientsPerCall)));
}

/** Splits claimed recipients into calls of up to `perCall`, one text per language. */
export function planCalls(
  claimed: ClaimedRecipient[],
  perCall: number,
  textFor: (locale: Locale) => string,
): BulkCall[] {
  const byLocale = new Map<Locale, ClaimedRecipient[]>();
  for (const recipient of claimed) {
    const same = byLocale.get(recipient.locale);
    if (same) same.push(recipient);
    else byLocale.set(recipient.locale, [recipient]);
  }
  const calls: BulkCall[] = [];
  for (const [locale, recipients] of byLocale) {
    const text = textFor(locale);
    for (let start = 0; start < recipients.length; start += perCall)
      calls.push({
        // A UUID: LINE takes the key as X-Line-Retry-Key, which must be one.
        key: randomUUID(),
        text,
        recipients: recipients
          .slice(start, start + perCall)
          .map(({ id, channelUserId }) => ({ id, channelUserId })),
      });
  }
  return calls;
}
