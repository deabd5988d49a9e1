// Reference 2, what a developer would write instead: a telegraf bot on a webhook with a Redis
// session store, replying once per message.
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { Telegraf, session, type Context } from 'telegraf';

interface Session {
  messages: number;
}
interface BotContext extends Context {
  session?: Session;
}

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  keyPrefix: process.env.KEY_PREFIX ?? 'plain:',
});
const store = {
  async get(key: string): Promise<Session | undefined> {
    const raw = await redis.get(key);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  },
  async set(key: string, value: Session): Promise<void> {
    await redis.set(key, JSON.stringify(value), 'EX', 86_400);
  },
  async delete(key: string): Promise<void> {
    await redis.del(key);
  },
};

const bot = new Telegraf<BotContext>(process.env.TELEGRAM_BOT_TOKEN ?? '', {
  telegram: { apiRoot: process.env.TELEGRAM_API_ROOT ?? '', webhookReply: false },
});
bot.use(session({ store, defaultSession: () => ({ messages: 0 }) }));
bot.on('message', async (ctx) => {
  ctx.session!.messages += 1;
  await ctx.reply(`Hello! Message number ${ctx.session!.messages}.`);
});

const callback = bot.webhookCallback('/webhooks/telegram', {
  secretToken: process.env.TELEGRAM_WEBHOOK_SECRET,
});
createServer((req, res) => {
  if (req.url === '/healthz') {
    res.end('{"status":"ok"}');
    return;
  }
  void callback(req, res);
}).listen(Number(process.env.PORT), '127.0.0.1');
