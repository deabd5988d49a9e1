// The queue pages' pure parts: what a scanner's text holds, the display's languages, the public
// board's fields, and the department watch folding a burst of changes into few reads.
import { describe, expect, it } from 'vitest';
import { queueFeed, type QueueBoard, type StaffQueueBoard } from '../../src/domain/queue.ts';
import type { Department } from '../../src/domain/triage.ts';
import { checkInTokenOf } from '../../src/features/queue/console.ts';
import { DepartmentWatch, ticketOnBoard } from '../../src/features/queue/department-watch.ts';
import { displayLanguages, publicBoard } from '../../src/features/queue/display-page.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';

describe('the kiosk reads a check-in token', () => {
  it('from a whole URL, with or without a query, or alone', () => {
    expect(checkInTokenOf('https://h.example/checkin/abc_-1.sig-_2')).toBe('abc_-1.sig-_2');
    expect(checkInTokenOf('  http://localhost:3000/checkin/abc.def?lang=vi\n')).toBe('abc.def');
    expect(checkInTokenOf('abc.def')).toBe('abc.def');
  });
  it('and nothing from anything else', () => {
    for (const text of ['', 'hello', 'https://h.example/ticket/abc.def', 'abc.def.ghi', '/checkin/abc'])
      expect(checkInTokenOf(text), text).toBeUndefined();
  });
});

describe('the display speaks', () => {
  it("the hospital country's language with English beneath", () => {
    expect(displayLanguages('VN', {})).toEqual(['vi', 'en']);
    expect(displayLanguages('JP', {})).toEqual(['ja', 'en']);
    expect(displayLanguages('US', {})).toEqual(['en']);
  });
  it('what the TV asks for', () => {
    expect(displayLanguages('VN', { lang: 'fr' })).toEqual(['fr', 'en']);
    expect(displayLanguages('VN', { second: 'th' })).toEqual(['vi', 'th']);
    expect(displayLanguages('VN', { second: 'none' })).toEqual(['vi']);
    expect(displayLanguages('VN', { second: 'vi' })).toEqual(['vi']);
    expect(displayLanguages('VN', { lang: 'xx', second: 'yy' })).toEqual(['vi', 'en']);
  });
});

it('puts only the public fields on the display', () => {
  const rich = {
    department: 'cardiology',
    day: '2026-12-03',
    calling: [{ label: 'B-001', room: '4', calledAt: 1, recalls: 0, patientName: 'Minh Tran' }],
    waiting: [{ label: 'B-002', kind: 'appointment', etaMinutes: 5, phone: '0912345601' }],
    averageServiceMinutes: 5,
    tickets: [{ id: 'x' }],
  } as unknown as QueueBoard;
  expect(JSON.stringify(publicBoard(rich))).toBe(
    JSON.stringify({
      department: 'cardiology',
      day: '2026-12-03',
      calling: [{ label: 'B-001', room: '4', calledAt: 1, recalls: 0 }],
      waiting: [{ label: 'B-002', kind: 'appointment', etaMinutes: 5 }],
      averageServiceMinutes: 5,
    }),
  );
});

describe('the department watch', () => {
  const boardOf = (version: number): StaffQueueBoard => ({
    department: 'cardiology',
    day: '2026-12-03',
    calling: [{ label: 'B-001', room: '4', calledAt: 1, recalls: 0 }],
    waiting: [
      { label: 'B-003', kind: 'appointment', etaMinutes: 5 },
      { label: 'B-002', kind: 'walk_in', etaMinutes: 10 },
    ],
    averageServiceMinutes: version,
    tickets: [
      {
        id: 'c',
        label: 'B-001',
        kind: 'appointment',
        status: 'called',
        room: '4',
        recalls: 0,
        requeued: false,
        checkedInAt: 1,
      },
      {
        id: 'w1',
        label: 'B-003',
        kind: 'appointment',
        status: 'waiting',
        recalls: 0,
        requeued: false,
        checkedInAt: 2,
      },
      {
        id: 'w2',
        label: 'B-002',
        kind: 'walk_in',
        status: 'waiting',
        recalls: 0,
        requeued: false,
        checkedInAt: 3,
      },
      {
        id: 'n',
        label: 'B-000',
        kind: 'walk_in',
        status: 'no_show',
        recalls: 2,
        requeued: false,
        checkedInAt: 0,
      },
    ],
  });
  /** The desk's board reads, each answered when the test says so. */
  const desk = () => {
    const pending: ((board: StaffQueueBoard) => void)[] = [];
    let reads = 0;
    return {
      read: (_department: Department) => {
        reads += 1;
        return new Promise<StaffQueueBoard>((resolve) => pending.push(resolve));
      },
      answer: (board: StaffQueueBoard) => pending.shift()!(board),
      get reads() {
        return reads;
      },
    };
  };
  // Lets every promise already settled run its continuations (no timers, no sleeping).
  const flush = async () => {
    for (let i = 0; i < 50; i += 1) await Promise.resolve();
  };
  const fail = (error: unknown) => {
    throw error;
  };

  it('reads the board once per change however many pages watch, and a late opener reads nothing', async () => {
    const kv = new MemoryStore();
    const board = desk();
    const watch = new DepartmentWatch(kv, board.read, fail);
    const seen = new Map<number, number>();
    const opening = Array.from({ length: 2000 }, (_, index) =>
      watch.watch('cardiology', (b) => seen.set(index, b.averageServiceMinutes)),
    );
    await flush();
    expect(board.reads).toBe(1);
    board.answer(boardOf(1));
    const stops = await Promise.all(opening);
    expect(seen.size).toBe(2000);
    expect([...seen.values()].every((v) => v === 1)).toBe(true);

    await kv.publish(queueFeed('cardiology'), 'done');
    await kv.publish(queueFeed('neurology'), 'elsewhere');
    await flush();
    expect(board.reads).toBe(2);
    // A burst while that read runs folds into one more read.
    for (let i = 0; i < 50; i += 1) await kv.publish(queueFeed('cardiology'), String(i));
    board.answer(boardOf(2));
    await flush();
    expect(board.reads).toBe(3);
    board.answer(boardOf(3));
    await flush();
    expect([...seen.values()].every((v) => v === 3)).toBe(true);

    let late: number | undefined;
    const stopLate = await watch.watch('cardiology', (b) => (late = b.averageServiceMinutes));
    expect(late).toBe(3);
    expect(board.reads).toBe(3);

    for (const stop of [...stops, stopLate]) stop();
    await flush(); // the last stop ends the subscription
    await kv.publish(queueFeed('cardiology'), 'after');
    await flush();
    expect(board.reads).toBe(3);
    await watch.close();
  });

  it('answers a failed first read to the opener and reads again for the next', async () => {
    const kv = new MemoryStore();
    let reads = 0;
    const watch = new DepartmentWatch(
      kv,
      async () => {
        reads += 1;
        if (reads === 1) throw new Error('database away');
        return boardOf(1);
      },
      fail,
    );
    await expect(watch.watch('cardiology', () => undefined)).rejects.toThrow('database away');
    const stop = await watch.watch('cardiology', () => undefined);
    expect(reads).toBe(2);
    stop();
    await watch.close();
  });

  it("computes each live ticket's view from the board", () => {
    const board = boardOf(1);
    expect(ticketOnBoard(board, 'w1')).toEqual({
      id: 'w1',
      label: 'B-003',
      department: 'cardiology',
      status: 'waiting',
      ahead: 0,
      etaMinutes: 5,
      canRequeue: false,
    });
    expect(ticketOnBoard(board, 'w2')).toMatchObject({ ahead: 1, etaMinutes: 10 });
    expect(ticketOnBoard(board, 'c')).toEqual({
      id: 'c',
      label: 'B-001',
      department: 'cardiology',
      status: 'called',
      room: '4',
      canRequeue: false,
    });
    expect(ticketOnBoard(board, 'n')).toMatchObject({ status: 'no_show', canRequeue: true });
    expect(ticketOnBoard(board, 'gone')).toBeUndefined();
  });
});
