// Approving, from an intake, a booking that triage asked a nurse to review first.
import { errors } from '../../server/errors.ts';
import {
  consolePlugin,
  guards,
  objectSchema,
  recorder,
  staffId,
  type Permissions,
} from '../../server/console/plugin.ts';
import { intakeActionRoute } from '../intake/console.ts';

const permissions = { 'bookings:approve': ['nurse', 'doctor'] } as const satisfies Permissions;

export const bookingConsole = consolePlugin({
  name: 'booking',
  permissions,
  routes: async (app, deps) => {
    const { changing } = guards(app, permissions);
    const record = recorder(deps.audit);
    const intakeAction = intakeActionRoute(app, changing('bookings:approve'));

    intakeAction<{ appointmentId: string }>(
      'approve-appointment',
      objectSchema({ appointmentId: { type: 'string', minLength: 1, maxLength: 64 } }, ['appointmentId']),
      async (id, { appointmentId }, request) => {
        const detail = await deps.intakes.detail(id);
        if (!detail) throw errors.notFound('no such intake');
        // Only this intake's patient's own pending appointments can be approved from it.
        const pending = await deps.hospital.pendingFor(detail.patient.id);
        if (!pending.some((appointment) => appointment.id === appointmentId))
          throw errors.conflict('no such appointment awaiting approval for this patient');
        const approved = await deps.hospital.approve(appointmentId);
        if (!approved) throw errors.conflict('the appointment is no longer awaiting approval');
        const start = approved.start.toISOString();
        await deps.intakes.logApproval(id, staffId(request), { start });
        await deps.engine.notify(
          detail.address,
          {
            kind: 'system',
            name: 'booking.approved',
            data: {
              start,
              appointmentId,
              ...(approved.department ? { department: approved.department } : {}),
            },
          },
          `approve:${appointmentId}`,
        );
        await record(request, 'appointment.approve', 'intake', id, { appointment: appointmentId });
        return { result: { status: 'booked' } };
      },
    );
  },
});
