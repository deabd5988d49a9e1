// Long polling (TELEGRAM_MODE=polling): for local development without a public URL. telegraf
// fetches updates; each one goes to the engine exactly as a webhook update would.
import { setTimeout as sleep } from 'node:timers/promises';
import { Telegraf } from 'telegraf';
import type { Logger } from 'pino';
import type { ChannelInbox } from '../channel.ts';
import { normaliseTelegramUpdate } from './normalise.ts';

/** Starts polling; resolves with a stop function once telegraf has launched. */
export async function startTelegramPolling(
  token: string,
  apiRoot: string,
  inbox: ChannelInbox,
  logger: Logger,
): Promise<() => Promise<void>> {
  const bot = new Telegraf(token, { telegram: { apiRoot } });
  bot.use(async (ctx) => {
    const event = normaliseTelegramUpdate(ctx.update);
    if (!event) return;
    // telegraf confirms the update to Telegram once we return, so keep trying while storage
    // is briefly unavailable rather than lose the patient's message.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await inbox.accept(event);
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        await sleep(200 * 2 ** attempt);
      }
    }
  });
  bot.catch((error) => logger.error({ err: error }, 'telegram update could not be queued'));
  let launched: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (launched = resolve));
  const running = bot.launch(
    {
      dropPendingUpdates: false,
      allowedUpdates: ['message', 'edited_message', 'callback_query', 'my_chat_member'],
    },
    () => launched(),
  );
  running.catch((error: unknown) => logger.error({ err: error }, 'telegram polling stopped'));
  await Promise.race([ready, running]);
  return async () => {
    bot.stop('shutdown');
    await running.catch(() => undefined);
  };
}
