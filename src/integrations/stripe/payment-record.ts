// A Payment row as every payment module reads it: whose conversation it belongs to, how the
// patient is told about it, and the plain record staff see instead of the database's row.
import type { SystemEventOf } from '../../conversation/flow.ts';
import type { ConversationAddress } from '../../conversation/message.ts';
import type { PaymentEventName } from '../../features/payments/events.ts';
import type { PaymentRecord, PaymentStatus, PaymentWithPatient } from '../../domain/payments.ts';
import type { Payment, PrismaClient } from '../../generated/prisma/client.ts';

/** Tells the patient's conversation what happened (a system event). */
export type PaymentMessenger = (
  address: ConversationAddress,
  event: SystemEventOf<PaymentEventName>,
  dedupeKey: string,
) => Promise<void>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function addressOf(payment: Payment): ConversationAddress {
  return {
    channel: payment.channel,
    channelUserId: payment.channelUserId,
  };
}

/** Whether `id` can be one of our payment ids (a UUID); anything else is not looked up. */
export const isPaymentId = (id: string): boolean => UUID.test(id);

/** A payment by our id; undefined for an unknown or malformed one. */
export async function findPayment(prisma: PrismaClient, paymentId: string): Promise<Payment | undefined> {
  if (!isPaymentId(paymentId)) return undefined;
  return (await prisma.payment.findUnique({ where: { id: paymentId } })) ?? undefined;
}

/** Money went back to the patient: they are told how much. */
export function tellRefund(
  tell: PaymentMessenger,
  payment: Payment,
  amountMinor: number,
  dedupeKey: string,
): Promise<void> {
  return tell(
    addressOf(payment),
    {
      kind: 'system',
      name: 'payment.refunded',
      data: { amountMinor: amountMinor, currency: payment.currency },
    },
    dedupeKey,
  );
}

export function recordOf(row: Payment): PaymentRecord {
  return {
    id: row.id,
    patientId: row.patientId,
    // Written only by these modules, always one of the statuses.
    status: row.status as PaymentStatus,
    department: row.department,
    amountMinor: row.amountMinor,
    currency: row.currency,
    refundedMinor: row.refundedMinor,
    slotId: row.slotId,
    appointmentId: row.appointmentId,
    appointmentStart: row.appointmentStart,
    expiresAt: row.expiresAt,
    paidAt: row.paidAt,
    createdAt: row.createdAt,
  };
}

export function withPatientOf(row: Payment & { patient: { fullName: string | null } }): PaymentWithPatient {
  return { ...recordOf(row), patient: { fullName: row.patient.fullName } };
}
