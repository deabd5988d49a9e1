// Telegram's part of an event's channel context: the button press to acknowledge, so the
// patient's client stops its spinner.
import type { ChannelContext } from '../../conversation/message.ts';

/** The context of a button press: acknowledged even when the step says nothing. */
export function pressContext(callbackQueryId: string): ChannelContext {
  return { answerEvenIfSilent: true, data: { callbackQueryId } };
}

/** The press a batch must acknowledge, if any. */
export function pressToAnswer(context: ChannelContext | undefined): string | undefined {
  const id = context?.data.callbackQueryId;
  return typeof id === 'string' ? id : undefined;
}
