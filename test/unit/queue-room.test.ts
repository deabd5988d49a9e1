// The one rule for a queue room's name (src/domain/queue-room.ts).
import { expect, it } from 'vitest';
import { MAX_ROOM_LENGTH, queueRoom } from '../../src/domain/queue-room.ts';

it('keeps short names in any script, trimmed', () => {
  expect(queueRoom('  4 ')).toBe('4');
  expect(queueRoom('Counter B')).toBe('Counter B');
  expect(queueRoom('Phòng 12')).toBe('Phòng 12');
  expect(queueRoom('Pho\u0300ng 12')).toBe('Phòng 12'); // NFC
  expect(queueRoom('ห้องตรวจ 3')).toBe('ห้องตรวจ 3'); // Thai marks count with their letter
  expect(queueRoom('診察室 2')).toBe('診察室 2');
  expect(queueRoom('A-1/2.b')).toBe('A-1/2.b');
  expect(queueRoom('x'.repeat(MAX_ROOM_LENGTH))).toBe('x'.repeat(12));
});

it('refuses blank, invisible, control, symbol and long names', () => {
  for (const bad of [
    '',
    '   ',
    '\u200b',
    '4\u200b',
    '\u202e4',
    '4\u0000',
    '4\n5',
    '\u00ad',
    '🙂',
    '<b>',
    'Room #4',
    '\ud800',
    '\u0301',
    'x'.repeat(MAX_ROOM_LENGTH + 1),
  ])
    expect(queueRoom(bad), JSON.stringify(bad)).toBeUndefined();
});
