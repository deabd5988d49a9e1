// Pushes sent per channel and calendar month (hospital zone), counted in the key-value store so
// every instance sees one count, against CHANNEL_PUSH_BUDGETS (LINE's paid monthly quota). The
// queue spends the budget on its threshold notices only while some is left; "your turn" is
// always sent and always counted. /metrics shows the count and what is left.
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import { pushMonth } from '../domain/queue-rules.ts';
import { zonedDate } from '../domain/time-zone.ts';
import type { KeyValueStore } from './kv/key-value-store.ts';

/** A month's counter outlives the month a little, so the last days' count can still be read. */
const COUNTER_TTL_MS = 40 * 24 * 60 * 60_000;

export class PushBudget {
  constructor(
    private readonly kv: KeyValueStore,
    /** Pushes a month per channel; a channel not named has no budget. */
    private readonly budgets: Record<string, number>,
    private readonly timeZone: string,
    private readonly clock: Clock,
  ) {}

  private key(channel: string): string {
    return `pushes:${channel}:${pushMonth(zonedDate(new Date(this.clock.now()), this.timeZone))}`;
  }

  /** Spends one push if the channel's budget has one left; false (nothing counted) when spent. */
  async take(channel: string): Promise<boolean> {
    const budget = this.budgets[channel];
    if (budget === undefined) {
      await this.kv.increment(this.key(channel), 1, { ttlMs: COUNTER_TTL_MS });
      return true;
    }
    return (await this.kv.takeSlots([{ key: this.key(channel), max: budget, ttlMs: COUNTER_TTL_MS }])) === 0;
  }

  /** Counts a push that goes whatever the budget says ("your turn"). */
  async spend(channel: string): Promise<void> {
    await this.kv.increment(this.key(channel), 1, { ttlMs: COUNTER_TTL_MS });
  }

  /** Pushes counted this month on `channel`. */
  async count(channel: string): Promise<number> {
    return Number((await this.kv.get(this.key(channel))) ?? 0);
  }

  /** What is left of the channel's budget this month; undefined without a budget. */
  async remaining(channel: string): Promise<number | undefined> {
    const budget = this.budgets[channel];
    return budget === undefined ? undefined : Math.max(0, budget - (await this.count(channel)));
  }

  /** Reports the month's count per channel, and the budget left, on /metrics. */
  register(registry: Registry, channels: readonly string[]): void {
    const budget = this.budgets;
    const all = [...new Set([...channels, ...Object.keys(budget)])];
    const count = (channel: string) => this.count(channel);
    new Gauge({
      name: 'frontdoor_channel_pushes_month',
      help: 'Queue notices pushed this calendar month, per channel (shared by all instances)',
      labelNames: ['channel'],
      registers: [registry],
      async collect() {
        for (const channel of all) this.set({ channel }, await count(channel));
      },
    });
    new Gauge({
      name: 'frontdoor_channel_push_budget_remaining',
      help: 'Pushes left this month under CHANNEL_PUSH_BUDGETS, per channel that has a budget',
      labelNames: ['channel'],
      registers: [registry],
      async collect() {
        for (const [channel, max] of Object.entries(budget))
          this.set({ channel }, Math.max(0, max - (await count(channel))));
      },
    });
  }
}
