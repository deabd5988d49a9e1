// Hospital broadcasts on the web chat: the notice is appended to the session's transcript, so
// an open page shows it at once (its server-sent events) and a page opened later reads it. No
// platform limit to keep to; an append is not idempotent, so a call found interrupted counts as
// sent and is not made again (resendsSafely false).
import type { Clock } from '../../clock.ts';
import type { DeliveryResult } from '../../domain/broadcasts.ts';
import type { BulkCall, BulkSender } from '../channel.ts';
import type { WebChatLog } from './chat-log.ts';

export class WebChatBulkSender implements BulkSender {
  readonly recipientsPerCall = 1;
  readonly resendsSafely = false;

  constructor(
    private readonly log: WebChatLog,
    private readonly clock: Clock,
  ) {}

  async pace(): Promise<void> {}

  async send(call: BulkCall): Promise<{ id: string; result: DeliveryResult; reason?: string }[]> {
    const outcomes: { id: string; result: DeliveryResult; reason?: string }[] = [];
    for (const recipient of call.recipients) {
      // A transcript that expired has no page left to show the notice on.
      if (await this.log.isEmpty(recipient.channelUserId)) {
        outcomes.push({ id: recipient.id, result: 'failed', reason: 'session ended' });
        continue;
      }
      await this.log.append(recipient.channelUserId, 'assistant', { text: call.text }, this.clock.now());
      outcomes.push({ id: recipient.id, result: 'sent' });
    }
    return outcomes;
  }
}
