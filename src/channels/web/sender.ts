// Delivery to the web chat: the answer is written to the session's transcript, which the
// page receives live over server-sent events.
import type { ChannelSender, OutboundBatch } from '../../conversation/outbox.ts';
import type { WebChatLog } from './chat-log.ts';

export class WebChatSender implements ChannelSender {
  constructor(
    private readonly log: WebChatLog,
    private readonly now: () => number = Date.now,
  ) {}

  async deliver(
    batch: OutboundBatch,
    alreadySent: number,
    markSent: (count: number) => Promise<void>,
  ): Promise<void> {
    for (let index = alreadySent; index < batch.messages.length; index += 1) {
      await this.log.append(
        batch.channelUserId,
        'assistant',
        batch.messages[index]!,
        this.now(),
        batch.locale,
        batch.consented,
      );
      await markSent(index + 1);
    }
  }
}
