// Holds on slots while a patient confirms: one holder per slot in the shared key-value store
// (so every instance sees it), released when the booking flow's timer says the patient did not
// confirm in time, or dropped once the appointment is booked. Another patient never sees, or
// gets, a slot someone holds.
import type { Clock } from '../../clock.ts';
import type { ConversationAddress } from '../../conversation/message.ts';
import type { SlotHolder } from '../../domain/paid-booking.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';

const key = (slotId: string) => `hold:{slot:${slotId}}`;
/** A hold while the patient pays names the payment, so the short confirm hold's timer spares it. */
const paymentHolder = (holder: string, paymentId: string) => `${holder}|${paymentId}`;

export class SlotHolds implements SlotHolder {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly clock: Clock,
    readonly holdMs: number,
  ) {}

  /** Holds `slotId` for `holder` (again, if they hold it already); false when someone else does. */
  async hold(_address: ConversationAddress, slotId: string, holder: string): Promise<boolean> {
    // The key outlives the flow's timer a little, so the timer finds it to release; should the
    // timer be late, the TTL still frees the slot.
    return (
      (await this.kv.setIfAbsent(key(slotId), holder, { ttlMs: this.holdMs + 60_000 })) ||
      (await this.kv.get(key(slotId))) === holder
    );
  }

  /**
   * Turns the patient's hold into one for the length of a payment (`untilMs`, the Checkout
   * session's end plus a margin for its "expired" event). False when someone else has the slot.
   */
  async holdForPayment(slotId: string, holder: string, paymentId: string, untilMs: number): Promise<boolean> {
    const value = paymentHolder(holder, paymentId);
    const ttlMs = Math.max(1, untilMs - this.clock.now());
    if ((await this.kv.get(key(slotId))) === value) return true;
    await this.kv.compareAndDelete(key(slotId), holder);
    return this.kv.setIfAbsent(key(slotId), value, { ttlMs });
  }

  /** The payment ended (paid and booked, or expired): its hold goes. */
  async releasePayment(slotId: string, holder: string, paymentId: string): Promise<void> {
    await this.kv.compareAndDelete(key(slotId), paymentHolder(holder, paymentId));
  }

  /** Whether someone other than `holder` holds the slot. */
  async heldByOther(slotId: string, holder: string): Promise<boolean> {
    const current = await this.kv.get(key(slotId));
    return current !== undefined && current !== holder && !current.startsWith(`${holder}|`);
  }

  /** The slot is booked: the hold has done its job. */
  async release(slotId: string, holder: string): Promise<void> {
    await this.kv.compareAndDelete(key(slotId), holder);
  }
}
