// The queue pages' pure parts: what a scanner's text holds, the display's languages, the public
// board's fields, and the department watch folding a burst of changes into few reads.
import { describe, expect, it } from 'vitest';
import { queueFeed, type QueueBoard } from '../../src/domain/queue.ts';
import { checkInTokenOf } from '../../src/features/queue/console.ts';
import { DepartmentWatch } from '../../src/features/queue/department-watch.ts';
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
  it('reads once per change, folding a burst into one read running and one queued', async () => {
    const kv = new MemoryStore();
    const watch = new DepartmentWatch(kv, (error) => {
      throw error;
    });
    let reads = 0;
    let release: () => void = () => {};
    const gate = () => new Promise<void>((resolve) => (release = resolve));
    let reading = gate();
    const stop = watch.watch('cardiology', async () => {
      reads += 1;
      await reading;
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    for (let i = 0; i < 50; i += 1) await kv.publish(queueFeed('cardiology'), String(i));
    await kv.publish(queueFeed('neurology'), 'elsewhere');
    expect(reads).toBe(1);
    const first = release;
    reading = Promise.resolve();
    first();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reads).toBe(2);
    stop();
    await kv.publish(queueFeed('cardiology'), 'after');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reads).toBe(2);
    await watch.close();
  });
});
