// A conversation saved by version 1 (the exact JSON that version wrote, in the middle of a
// booking) is migrated, not restarted, and carries on as it would have before the upgrade.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConversationState, StepContext } from '../../src/conversation/flow.ts';
import { flowRegistry } from '../../src/features/index.ts';
import { FLOW_VERSION } from '../../src/features/registry.ts';
import { button, flowContext, runFlow } from '../support/flow-harness.ts';

let context: StepContext;
let saved: ConversationState;

beforeAll(async () => {
  context = await flowContext(Date.UTC(2026, 10, 24, 3, 0));
  const raw = await readFile(join(import.meta.dirname, 'fixtures', 'conversation-state-v1.json'), 'utf8');
  saved = JSON.parse(raw) as ConversationState;
});

const doctor = { default: 'Dr Mai', en: 'Dr Mai', vi: 'BS. Mai' };
const slotB = { id: 'b', start: '2026-11-24T08:00:00.000Z', scheduleId: 's-1', doctor };

describe('a version-1 conversation after the upgrade', () => {
  it("moves booking's lists out of the draft's JSON strings into its typed part", () => {
    expect(saved.version).toBe(1);
    const migrated = flowRegistry.migrate(saved);
    expect(migrated).toMatchObject({
      version: FLOW_VERSION,
      step: 'booking.confirm',
      locale: 'vi',
      patientId: 'p-1',
      booking: {
        doctors: [{ scheduleId: 's-1', names: doctor }],
        slots: [{ id: 'a', start: '2026-11-24T07:00:00.000Z', scheduleId: 's-1', doctor }, slotB],
        slot: slotB,
      },
    });
    expect(migrated?.booking?.pages).toBeUndefined();
    expect(migrated?.draft).toEqual({
      department: 'neurology',
      scheduleId: '',
      after: '',
      day: '2026-11-24',
      more: 'yes',
    });
  });

  it('books the slot the patient was confirming, as version 1 would have', () => {
    const migrated = flowRegistry.migrate(saved)!;
    const { state, effects } = runFlow(context, [button('booking.confirm|yes')], migrated);
    expect(effects).toEqual([
      {
        type: 'booking.book',
        patientId: 'p-1',
        slotId: 'b',
        department: 'neurology',
        pending: false,
        bookingKey: 'p-1:b',
      },
      { type: 'send', message: { text: 'Vui lòng chờ, tôi đang hỏi bệnh viện…' } },
    ]);
    expect(state).toMatchObject({ step: 'booking.booking', draft: { waiting: 'book' } });
  });

  it('shows the same free times when the patient asks for another one', () => {
    const migrated = flowRegistry.migrate(saved)!;
    const { effects } = runFlow(context, [button('booking.confirm|other')], migrated);
    // What version 1 said to the same state.
    expect(effects).toEqual([
      {
        type: 'send',
        message: {
          text: 'Giờ còn trống ngày Thứ Ba, 24 tháng 11:',
          choices: [
            { data: 'booking.slot|a', label: '14:00 · BS. Mai' },
            { data: 'booking.slot|b', label: '15:00 · BS. Mai' },
            { data: 'booking.slot|later', label: 'Giờ muộn hơn' },
            { data: 'booking.slot|next', label: 'Ngày tiếp theo' },
            { data: 'booking.slot|back', label: 'Quay lại' },
          ],
        },
      },
    ]);
  });

  it('restarts a state from a version no migration leads from', () => {
    expect(flowRegistry.migrate({ ...saved, version: 0 })).toBeUndefined();
  });
});
