// One subscription per department and instance for the public live pages (waiting-room
// displays, live tickets): a TV or a phone watching a department costs a listener, not a Redis
// subscription. Bursts of changes are folded: while a listener's read runs, later changes only
// mark it to read once more, so 200 check-ins in a second read the board a few times, not 200.
import { queueFeed } from '../../domain/queue.ts';
import type { Department } from '../../domain/triage.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';

type Listener = () => Promise<void>;

interface Watched {
  listeners: Set<Listener>;
  stop: Promise<() => Promise<void>>;
}

export class DepartmentWatch {
  private readonly watched = new Map<Department, Watched>();

  constructor(
    private readonly kv: KeyValueStore,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Calls `read` after each change of `department` (folded as above) until the returned stop. */
  watch(department: Department, read: Listener): () => void {
    const listener = folded(read, this.onError);
    let entry = this.watched.get(department);
    if (!entry) {
      const listeners = new Set<Listener>();
      const stop = this.kv.subscribe(queueFeed(department), () => {
        for (const each of listeners) void each();
      });
      stop.catch(this.onError);
      entry = { listeners, stop };
      this.watched.set(department, entry);
    }
    entry.listeners.add(listener);
    const current = entry;
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size > 0 || this.watched.get(department) !== current) return;
      this.watched.delete(department);
      current.stop.then((stop) => stop()).catch(() => undefined);
    };
  }

  /** Ends every subscription (at shutdown, when the store may already be closing). */
  async close(): Promise<void> {
    const entries = [...this.watched.values()];
    this.watched.clear();
    await Promise.all(entries.map((entry) => entry.stop.then((stop) => stop()).catch(() => undefined)));
  }
}

/** At most one read running and one more queued, whatever the number of changes meanwhile. */
function folded(read: Listener, onError: (error: unknown) => void): Listener {
  let running: Promise<void> | undefined;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await read().catch(onError);
      } while (again);
    })();
    try {
      await running;
    } finally {
      running = undefined;
    }
  };
  return run;
}
