// Joins a step's plain messages into the message that follows them. One message instead of
// three reads better on a phone, spends one push of LINE's paid quota instead of three, and
// stays within Telegram's one-message-a-second-per-chat pace. Emergency guidance always
// stands alone.
import type { OutboundMessage } from './message.ts';

const isPlain = (message: OutboundMessage) =>
  !message.choices?.length && !message.links?.length && !message.request && !message.image && !message.urgent;

/** The same content in as few messages as possible, order kept; buttons stay with their text. */
export function coalesceMessages(messages: OutboundMessage[]): OutboundMessage[] {
  const result: OutboundMessage[] = [];
  let pending: string[] = [];
  const flushPending = () => {
    if (pending.length > 0) result.push({ text: pending.join('\n\n') });
    pending = [];
  };
  for (const message of messages) {
    if (message.urgent) {
      flushPending();
      result.push(message);
    } else if (isPlain(message)) {
      pending.push(message.text);
    } else {
      result.push(
        pending.length > 0 ? { ...message, text: [...pending, message.text].join('\n\n') } : message,
      );
      pending = [];
    }
  }
  flushPending();
  return result;
}
