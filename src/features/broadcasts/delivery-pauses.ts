// Waits of a delivery run (a platform's retry_after, a backoff), on the instance's clock so a
// test moves time instead of sleeping, and cut short when the run stops.
import type { CancelTimer, TimerClock } from '../../clock.ts';

export class Pauses {
  private readonly waiting = new Map<CancelTimer, () => void>();

  constructor(private readonly clock: TimerClock) {}

  /** Resolves after `ms` on the clock, or at once when `cancelAll` is called. */
  wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const cancel = this.clock.after(ms, () => {
        this.waiting.delete(cancel);
        resolve();
      });
      this.waiting.set(cancel, resolve);
    });
  }

  /** Ends every wait now. */
  cancelAll(): void {
    for (const [cancel, resolve] of this.waiting) {
      cancel();
      resolve();
    }
    this.waiting.clear();
  }
}
