// The queue feature's effects and their handlers: each asks the desk (QueueDesk), or the
// hospital for today's appointments, and hands the answer back as a "queue.*" system event.
import type { EffectContext, EffectHandlers, SystemEvent } from '../../conversation/flow.ts';
import type { BookingService } from '../../domain/booking.ts';
import type { CheckInResult, QueueDesk, TicketView } from '../../domain/queue.ts';
import type { Department } from '../../domain/triage.ts';
import type { TicketShown } from './events.ts';
import './events.ts';

declare module '../../conversation/flow.ts' {
  interface EffectMap {
    /** "Check in / my ticket": the live ticket, else today's appointments and walk-ins. */
    'queue.mine': { patientId: string };
    /** "I'm here" for a booked appointment. */
    'queue.checkIn': { patientId: string; appointmentId: string; acuity?: number };
    'queue.walkIn': { patientId: string; department: Department; acuity?: number };
    /** Shows the patient's live ticket again (refresh, or after the desk issued it). */
    'queue.show': { why: TicketShown };
    'queue.leave': { patientId: string };
    /** A missed ticket back in line (the desk allows it once). */
    'queue.requeue': { ticketId: string };
  }
}

export function queueEffects(desk: QueueDesk, booking: BookingService): EffectHandlers {
  const shown = (ticket: TicketView | undefined, why: TicketShown): SystemEvent => ({
    kind: 'system',
    name: 'queue.shown',
    data: ticket ? { ticket, why } : { why },
  });
  const answer = (result: CheckInResult, { notify }: EffectContext) =>
    notify(
      'ticket' in result
        ? shown(result.ticket, 'checkedIn')
        : { kind: 'system', name: 'queue.refused', data: result.refused },
    );
  return {
    'queue.mine': async ({ patientId }, { address, notify }) => {
      const ticket = await desk.ticketOf(address);
      if (ticket) return notify(shown(ticket, 'refresh'));
      const result = await booking.appointments(patientId);
      if (result.kind !== 'appointments')
        return notify({ kind: 'system', name: 'queue.refused', data: { reason: 'hospital_unavailable' } });
      await notify({
        kind: 'system',
        name: 'queue.today',
        data: { appointments: result.appointments },
      });
    },
    'queue.checkIn': async ({ patientId, appointmentId, acuity }, context) => {
      // Only the patient's own appointment: a web chat page can post any button data.
      const theirs = await booking.appointments(patientId);
      if (theirs.kind !== 'appointments')
        return context.notify({
          kind: 'system',
          name: 'queue.refused',
          data: { reason: 'hospital_unavailable' },
        });
      if (!theirs.appointments.some((view) => view.id === appointmentId))
        return context.notify({ kind: 'system', name: 'queue.refused', data: { reason: 'no_appointment' } });
      await answer(
        await desk.checkIn({
          appointmentId,
          address: context.address,
          patientId,
          locale: context.locale,
          ...(acuity ? { acuity } : {}),
        }),
        context,
      );
    },
    'queue.walkIn': async ({ patientId, department, acuity }, context) =>
      answer(
        await desk.walkIn({
          department,
          address: context.address,
          patientId,
          locale: context.locale,
          ...(acuity ? { acuity } : {}),
        }),
        context,
      ),
    'queue.show': async ({ why }, { address, notify }) => notify(shown(await desk.ticketOf(address), why)),
    'queue.leave': async (_effect, { address, notify }) => {
      // Only the patient's own live ticket: a web chat page can post any button data.
      const ticket = await desk.ticketOf(address);
      await notify(shown(ticket && (await desk.leave(ticket.id)), 'left'));
    },
    'queue.requeue': async ({ ticketId }, { notify }) =>
      notify(shown(await desk.requeue(ticketId), 'requeued')),
  };
}
