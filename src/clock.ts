// Time as a port, so holds, reminders and TTLs are testable without sleeping.

/** Tells the current time in epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** Cancels a timer set on a clock; cancelling twice, or after it ran, does nothing. */
export type CancelTimer = () => void;

/**
 * A clock that can also wake code up once an amount of its own time has passed: the in-process
 * job runner delays on it, so a test that moves a ManualClock runs the jobs that fell due.
 */
export interface TimerClock extends Clock {
  /** Calls `callback` once `ms` have passed on this clock. */
  after(ms: number, callback: () => void): CancelTimer;
}

/** The wall clock, with Node's timers. */
export const systemClock: TimerClock = {
  now: () => Date.now(),
  after(ms, callback) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

interface PendingTimer {
  at: number;
  /** Set order, so timers due at the same moment run in the order they were set. */
  order: number;
  callback: () => void;
}

/** A clock tests move by hand; its timers run only when `advance` reaches them. */
export class ManualClock implements TimerClock {
  private readonly timers = new Set<PendingTimer>();
  private setCount = 0;

  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  after(ms: number, callback: () => void): CancelTimer {
    const timer = { at: this.current + Math.max(0, ms), order: this.setCount++, callback };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /**
   * Moves time forward by `ms`, stopping at each timer that falls due on the way so that it
   * sees the time it was set for (a timer set by a callback runs too if it falls due in time).
   */
  advance(ms: number): void {
    const target = this.current + ms;
    for (let next = this.nextDue(target); next; next = this.nextDue(target)) {
      this.timers.delete(next);
      this.current = Math.max(this.current, next.at);
      next.callback();
    }
    this.current = target;
  }

  /** How many timers are waiting (tests: that something was scheduled, or cancelled). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  private nextDue(until: number): PendingTimer | undefined {
    let first: PendingTimer | undefined;
    for (const timer of this.timers) {
      if (timer.at > until) continue;
      if (!first || timer.at < first.at || (timer.at === first.at && timer.order < first.order))
        first = timer;
    }
    return first;
  }
}
