// The one way anything outside a conversation tells it that something happened: the console
// (a nurse's message, an approval), payments, timers and the hospital's answers.
import type { SystemEvent } from './flow.ts';
import type { ConversationAddress } from './message.ts';

export interface ConversationNotifier {
  /**
   * Queues `event` in the patient's conversation, in order with their messages. The same
   * `dedupeKey` again (a retried job, a redelivered webhook) is recognised and dropped.
   */
  notify(address: ConversationAddress, event: SystemEvent, dedupeKey: string): Promise<void>;
}
