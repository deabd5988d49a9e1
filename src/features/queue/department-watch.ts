// One subscription and one board read per department and instance for the public live pages
// (waiting-room displays, live tickets): a TV or a phone watching a department costs a listener,
// not a Redis subscription nor a database read. Each change reads the department's staff board
// once, whatever the number of watchers, and hands that board to every listener (a display keeps
// its public fields, a live ticket finds its own row); bursts are folded (one read running, one
// queued). The latest board is kept while anyone watches, so a page opening gets it without a read.
import { queueFeed, type StaffQueueBoard, type TicketView } from '../../domain/queue.ts';
import type { Department } from '../../domain/triage.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';

export type BoardListener = (board: StaffQueueBoard) => void;

interface Watched {
  listeners: Set<BoardListener>;
  subscribed: Promise<() => Promise<void>>;
  /** The board after the latest change read (undefined until read, or after a failed read). */
  board?: StaffQueueBoard;
  reading?: Promise<StaffQueueBoard>;
  again: boolean;
}

export class DepartmentWatch {
  private readonly watched = new Map<Department, Watched>();

  constructor(
    private readonly kv: KeyValueStore,
    private readonly read: (department: Department) => Promise<StaffQueueBoard>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Calls `listener` with the department's board now (the kept one when someone already watches)
   * and after each change, until the returned stop. Rejects, watching nothing, when the first
   * read fails.
   */
  async watch(department: Department, listener: BoardListener): Promise<() => void> {
    const entry = this.entryOf(department);
    const stop = () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size > 0 || this.watched.get(department) !== entry) return;
      this.watched.delete(department);
      entry.subscribed.then((end) => end()).catch(() => undefined);
    };
    // Counted as watching from now on, so the entry is not dropped while the first read runs.
    const pending: BoardListener = () => undefined;
    entry.listeners.add(pending);
    try {
      if (!entry.board) {
        await entry.subscribed;
        await (entry.reading ?? this.refresh(department, entry));
      }
    } catch (error) {
      entry.listeners.delete(pending);
      stop();
      throw error;
    } finally {
      entry.listeners.delete(pending);
    }
    const board = entry.board;
    if (!board) {
      stop();
      throw new Error(`the ${department} board could not be read`);
    }
    entry.listeners.add(listener);
    listener(board);
    return stop;
  }

  /** Ends every subscription (at shutdown, when the store may already be closing). */
  async close(): Promise<void> {
    const entries = [...this.watched.values()];
    this.watched.clear();
    await Promise.all(entries.map((entry) => entry.subscribed.then((stop) => stop()).catch(() => undefined)));
  }

  private entryOf(department: Department): Watched {
    const known = this.watched.get(department);
    if (known) return known;
    const entry: Watched = { listeners: new Set(), again: false, subscribed: undefined as never };
    entry.subscribed = this.kv.subscribe(queueFeed(department), () => {
      this.refresh(department, entry).catch(this.onError);
    });
    entry.subscribed.catch(this.onError);
    this.watched.set(department, entry);
    return entry;
  }

  /** One read for the department whatever the number of changes meanwhile, then every listener. */
  private refresh(department: Department, entry: Watched): Promise<StaffQueueBoard> {
    if (entry.reading) {
      entry.again = true;
      return entry.reading;
    }
    entry.reading = (async () => {
      let board: StaffQueueBoard;
      do {
        entry.again = false;
        try {
          board = await this.read(department);
        } catch (error) {
          entry.board = undefined;
          throw error;
        }
        entry.board = board;
        for (const listener of [...entry.listeners]) {
          try {
            listener(board);
          } catch (error) {
            this.onError(error);
          }
        }
      } while (entry.again);
      return board;
    })().finally(() => {
      entry.reading = undefined;
    });
    return entry.reading;
  }
}

/**
 * A ticket's view as its department's staff board shows it (the same as QueueDesk.ticket), or
 * undefined when the ticket is not on the board (done, left, or moved to another department).
 */
export function ticketOnBoard(board: StaffQueueBoard, ticketId: string): TicketView | undefined {
  let waitingBefore = 0;
  for (const row of board.tickets) {
    if (row.id === ticketId) {
      const ahead = row.status === 'waiting' ? waitingBefore : undefined;
      return {
        id: row.id,
        label: row.label,
        department: board.department,
        status: row.status,
        ...(ahead === undefined ? {} : { ahead, etaMinutes: board.waiting[ahead]?.etaMinutes ?? 0 }),
        ...(row.room ? { room: row.room } : {}),
        canRequeue: row.status === 'no_show' && !row.requeued,
      };
    }
    if (row.status === 'waiting') waitingBefore += 1;
  }
  return undefined;
}
