// The payments page's console API: consultation fees, refunds and hospital cancellations, for
// the desk (operators) and admins. Every read and action writes an audit row.
import { formatMoney, receiptNumber, type PaymentWithPatient } from '../../domain/payments.ts';
import { errors } from '../../server/errors.ts';
import { consoleInput } from '../../server/console/input.ts';
import {
  consolePlugin,
  guards,
  idParams,
  objectSchema,
  recorder,
  staffTime,
  type Permissions,
} from '../../server/console/plugin.ts';

const permissions = {
  'payments:read': ['operator', 'admin'],
  'payments:refund': ['operator', 'admin'],
} as const satisfies Permissions;

/** A payment as the console lists it. */
export function paymentView(payment: PaymentWithPatient, time: (at: Date) => string) {
  return {
    id: payment.id,
    receipt: receiptNumber(payment.id),
    patientName: payment.patient.fullName ?? '',
    status: payment.status,
    amount: formatMoney(payment.amountMinor, payment.currency, 'en'),
    refunded: formatMoney(payment.refundedMinor, payment.currency, 'en'),
    refundable: ['paid', 'cancelled'].includes(payment.status) && payment.refundedMinor < payment.amountMinor,
    cancellable: payment.status === 'paid' && payment.appointmentId !== null,
    department: payment.department,
    appointmentId: payment.appointmentId,
    appointmentStart: payment.appointmentStart ? time(payment.appointmentStart) : null,
    createdAt: time(payment.createdAt),
  };
}
export type PaymentView = ReturnType<typeof paymentView>;

export const paymentsConsole = consolePlugin({
  name: 'payments',
  permissions,
  routes: async (app, deps) => {
    const { allow, changing } = guards(app, permissions);
    const record = recorder(deps.audit);
    const time = staffTime(deps.hospitalTimeZone);
    const view = (payment: PaymentWithPatient) => paymentView(payment, time);

    app.get('/console/api/payments', { preHandler: allow('payments:read') }, async (request) => {
      const payments = await deps.payments.list();
      await record(request, 'payment.list', 'payment', '*', { count: payments.length });
      return { payments: payments.map(view) };
    });

    /** A POST action on one payment: CSRF-checked, for roles that may refund, a reason required. */
    const paymentAction = (
      action: string,
      auditAction: string,
      allowed: (payment: PaymentView) => boolean,
      refusal: string,
      act: (payment: PaymentWithPatient) => Promise<Record<string, string | number>>,
    ) =>
      app.post(
        `/console/api/payments/:id/${action}`,
        {
          ...changing('payments:refund'),
          schema: {
            params: idParams,
            body: objectSchema({ reason: { type: 'string', minLength: 3, maxLength: 500 } }, ['reason']),
          },
        },
        async (request) => {
          const { id } = request.params as { id: string };
          const { reason } = consoleInput.paymentAction(request.body);
          const before = await deps.payments.find(id);
          if (!before) throw errors.notFound('no such payment');
          if (!allowed(view(before))) throw errors.conflict(refusal);
          const detail = await act(before);
          await record(request, auditAction, 'payment', id, { ...detail, reason: reason.trim() });
          const after = await deps.payments.find(id);
          return { payment: after ? view(after) : null };
        },
      );

    paymentAction(
      'refund',
      'payment.refund',
      (payment) => payment.refundable,
      'nothing left to refund on this payment',
      async (payment) => {
        await deps.payments.refundByOperator(payment.id);
        return { amountMinor: payment.amountMinor - payment.refundedMinor, currency: payment.currency };
      },
    );

    paymentAction(
      'cancel-appointment',
      'payment.hospital-cancel',
      (payment) => payment.cancellable,
      'this payment has no booked appointment to cancel',
      async (payment) => {
        await deps.payments.cancelByHospital(payment.id);
        return { appointment: payment.appointmentId ?? '' };
      },
    );
  },
});
