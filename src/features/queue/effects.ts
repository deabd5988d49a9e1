// The queue feature's effects and their handlers: each asks the desk (QueueDesk) or mints a
// signed link, and hands the answer back to the conversation as a "queue.*" system event.
import type { EffectContext, EffectHandlers, SystemEvent } from '../../conversation/flow.ts';
import type { BookingService } from '../../domain/booking.ts';
import type { CheckInResult, QueueDesk, TicketView } from '../../domain/queue.ts';
import type { Department } from '../../domain/triage.ts';
import type { TicketShown } from './events.ts';
import './events.ts';

/** The signed links the chat hands out (src/security/checkin-token.ts makes them). */
export interface QueueLinks {
  /** `${PUBLIC_BASE_URL}/checkin/<token>`: the check-in page of an appointment starting at `start` (epoch ms). */
  checkInUrl(appointmentId: string, start: number): string;
  /** `${PUBLIC_BASE_URL}/ticket/<token>`: the live ticket page. */
  ticketUrl(ticketId: string): string;
}

/** What the chat's side of the queue needs besides the desk. */
export interface QueueChatServices {
  links: QueueLinks;
  /** Departments that take walk-in tickets (QUEUE_DEPARTMENTS). */
  walkInDepartments: readonly Department[];
}

declare module '../feature.ts' {
  interface FeatureServices {
    queue: QueueDesk;
    /** Absent only where an engine is built without the queue's links (some engine tests). */
    queueChat?: QueueChatServices;
  }
}

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
    /** The check-in code (QR) of a booked appointment. */
    'queue.code': { appointmentId: string; start: string; department?: Department };
  }
}

/** The QR image of a check-in link (served by qr-route.ts). */
export const qrUrlOf = (checkInUrl: string) => `${checkInUrl}/qr.png`;

export function queueEffects(
  desk: QueueDesk,
  booking: BookingService,
  chat: QueueChatServices | undefined,
): EffectHandlers {
  const links = chat?.links;
  const walkInDepartments = chat?.walkInDepartments ?? [];
  const shown = (ticket: TicketView | undefined, why: TicketShown): SystemEvent => ({
    kind: 'system',
    name: 'queue.shown',
    data: ticket ? { ticket, ...(links ? { liveUrl: links.ticketUrl(ticket.id) } : {}), why } : { why },
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
        data: { appointments: result.appointments, walkIn: [...walkInDepartments] },
      });
    },
    'queue.checkIn': async ({ patientId, appointmentId, acuity }, context) =>
      answer(
        await desk.checkIn({
          appointmentId,
          address: context.address,
          patientId,
          locale: context.locale,
          ...(acuity ? { acuity } : {}),
        }),
        context,
      ),
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
    'queue.code': async ({ appointmentId, start, department }, { notify }) => {
      if (!links) return;
      const checkInUrl = links.checkInUrl(appointmentId, Date.parse(start));
      await notify({
        kind: 'system',
        name: 'queue.code',
        data: {
          appointmentId,
          start,
          ...(department ? { department } : {}),
          checkInUrl,
          qrUrl: qrUrlOf(checkInUrl),
        },
      });
    },
  };
}
