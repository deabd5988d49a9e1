// The staff console: sign-in, the live triage inbox, intake detail and actions, the audit log.
// Sessions are opaque tokens in a signed httpOnly SameSite=Strict cookie; every state-changing
// request also carries a CSRF token (@fastify/csrf-protection). Every read of an intake and
// every action writes an audit row.
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { i18n } from 'i18next';
import type { Clock } from '../../clock.ts';
import type { ConversationEngine } from '../../conversation/engine.ts';
import { STAFF_MESSAGE_TEMPLATES, type IntakeDesk, type IntakeDetail } from '../../domain/intakes.ts';
import {
  DEPARTMENTS,
  questionsFor,
  complaintRule,
  type Acuity,
  type Department,
} from '../../domain/triage.ts';
import { isLocale } from '../../i18n/locales.ts';
import { intakeQuestionnaireResponse } from '../../integrations/fhir/intake-questionnaire-response.ts';
import type { AuditLog } from '../../security/audit-log.ts';
import type { Role, StaffAccounts, StaffMember } from '../../security/staff-accounts.ts';
import type { StaffSessions } from '../../security/staff-sessions.ts';
import type { SignInThrottle } from '../../security/sign-in-throttle.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';
import type { Hospital } from '../../integrations/fhir/hospital.ts';
import { formatMoney } from '../../domain/payments.ts';
import { receiptNumber, type PaymentWithPatient } from '../../domain/payments.ts';
import type { Payments } from '../../integrations/stripe/payments.ts';
import { errors } from '../errors.ts';
import { eventStreams } from '../event-stream.ts';
import { consoleInput } from './input.ts';
import { consolePage } from './page.ts';

const COOKIE = 'fd_staff';
export const INTAKE_FEED = 'console:intakes';

/** Who may do what: health data only for the clinical roles, the audit log only for admins. */
const PERMISSIONS = {
  'intakes:read': ['nurse', 'doctor'],
  'intakes:act': ['nurse', 'doctor'],
  'payments:read': ['operator', 'admin'],
  'payments:refund': ['operator', 'admin'],
  'audit:read': ['admin'],
  'staff:read': ['admin'],
} as const satisfies Record<string, readonly Role[]>;
type Permission = keyof typeof PERMISSIONS;

export interface ConsoleOptions {
  accounts: StaffAccounts;
  sessions: StaffSessions;
  /** Back-off after failed sign-ins, per account and per client address. */
  signInThrottle: SignInThrottle;
  audit: AuditLog;
  intakes: IntakeDesk;
  hospital: Hospital;
  /** Zone in which appointment times are shown to staff. */
  hospitalTimeZone: string;
  engine: ConversationEngine;
  payments: Payments;
  kv: KeyValueStore;
  translator: i18n;
  clock: Clock;
  cookieSecret: string;
  secureCookies: boolean;
  hospitalName: string;
  /** The hospital country's emergency number, shown in the template previews. */
  emergencyNumber?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffMember;
    staffToken?: string;
  }
}

const uuid = { type: 'string', format: 'uuid' } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: uuid } } as const;

export async function registerConsole(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const { accounts, sessions, audit, intakes } = options;
  await app.register(cookie, { secret: options.cookieSecret });
  await app.register(csrf, {
    cookieKey: 'fd_csrf',
    cookieOpts: {
      signed: true,
      httpOnly: true,
      sameSite: 'strict',
      path: '/console',
      secure: options.secureCookies,
    },
    getToken: (request) => request.headers['x-csrf-token'] as string | undefined,
  });
  const openStream = eventStreams(app);

  app.addHook('onRequest', async (request) => {
    const raw = request.cookies[COOKIE];
    const token = raw ? request.unsignCookie(raw) : undefined;
    if (token?.valid && token.value) {
      request.staff = await sessions.find(token.value);
      if (request.staff) request.staffToken = token.value;
    }
  });

  /** Refuses the request unless a signed-in staff member holds a role with `permission`. */
  const allow = (permission?: Permission) => async (request: FastifyRequest) => {
    const staff = request.staff;
    if (!staff) throw errors.unauthorized('sign in to the console first');
    if (
      permission &&
      !staff.roles.some((role) => (PERMISSIONS[permission] as readonly Role[]).includes(role))
    ) {
      throw errors.forbidden(`your role may not ${permission.replace(':', ' ')}`);
    }
  };
  // The plugin's hook reads no `this`; bound anyway so the lint rule holds.
  const checkCsrf = app.csrfProtection.bind(app);
  const changing = (permission?: Permission) => ({
    onRequest: checkCsrf,
    preHandler: allow(permission),
  });

  const record = (
    request: FastifyRequest,
    action: string,
    subjectType: string,
    subjectId: string,
    detail?: Record<string, string | number | boolean>,
  ) =>
    audit.record({
      actorId: request.staff?.id ?? null,
      actorLabel: request.staff?.email ?? 'anonymous',
      action,
      subjectType,
      subjectId,
      ip: request.ip,
      detail,
    });

  app.get('/console', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header(
        'content-security-policy',
        "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'none'",
      )
      .send(consolePage(options.hospitalName)),
  );

  app.get('/console/api/csrf', async (_request, reply) => ({ csrfToken: reply.generateCsrf() }));

  const signInSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'password'],
    properties: {
      email: { type: 'string', minLength: 3, maxLength: 254 },
      password: { type: 'string', minLength: 1, maxLength: 1024 },
    },
  } as const;

  app.post(
    '/console/api/sign-in',
    { onRequest: checkCsrf, schema: { body: signInSchema } },
    async (request, reply) => {
      const { email, password } = consoleInput.signIn(request.body);
      const account = email.trim().toLowerCase().slice(0, 254);
      const attempt = await options.signInThrottle.attempt({ account, address: request.ip }, () =>
        accounts.signIn(email, password),
      );
      const refused = (action: string, detail: Record<string, string | number>) =>
        audit.record({
          actorId: null,
          actorLabel: account,
          action,
          subjectType: 'staff',
          subjectId: account,
          ip: request.ip,
          detail,
        });
      if (attempt.throttled) {
        // Answered before the password is checked: a right one waits like a wrong one.
        const seconds = Math.ceil(attempt.retryAfterMs / 1000);
        await refused('staff.sign-in.throttled', { by: attempt.by, retryAfterSeconds: seconds });
        throw errors.tooManyAttempts(seconds);
      }
      const result = attempt.result;
      if (!result.ok) {
        await refused('staff.sign-in.failed', { reason: result.why });
        throw errors.unauthorized('wrong email or password');
      }
      const token = await sessions.create(result.staff, result.credentialVersion);
      reply.setCookie(COOKIE, token, {
        signed: true,
        httpOnly: true,
        sameSite: 'strict',
        secure: options.secureCookies,
        path: '/console',
      });
      request.staff = result.staff;
      await record(request, 'staff.sign-in', 'staff', result.staff.id);
      return { staff: result.staff };
    },
  );

  app.post('/console/api/sign-out', changing(), async (request, reply) => {
    if (request.staffToken) await sessions.destroy(request.staffToken);
    await record(request, 'staff.sign-out', 'staff', request.staff?.id ?? '');
    reply.clearCookie(COOKIE, { path: '/console' });
    return { signedOut: true };
  });

  app.get('/console/api/me', { preHandler: allow() }, async (request, reply) => ({
    staff: request.staff,
    csrfToken: reply.generateCsrf(),
    labels: labels(options.translator, options.emergencyNumber),
  }));

  app.get('/console/api/intakes', { preHandler: allow('intakes:read') }, async (request) => {
    const inbox = await intakes.inbox();
    await record(request, 'intake.list', 'intake', '*', { count: inbox.length });
    return { intakes: inbox };
  });

  app.get(
    '/console/api/intakes/:id',
    { preHandler: allow('intakes:read'), schema: { params: idParams } },
    async (request) => {
      const { id } = request.params as { id: string };
      const detail = await intakes.detail(id);
      if (!detail) throw errors.notFound('no such intake');
      await record(request, 'intake.view', 'intake', id);
      const pending = await options.hospital.pendingFor(detail.patient.id).catch((error: unknown) => {
        request.log.warn({ err: error }, 'could not read pending appointments from the hospital');
        return [];
      });
      const format = new Intl.DateTimeFormat('en-GB', {
        timeZone: options.hospitalTimeZone,
        dateStyle: 'full',
        timeStyle: 'short',
      });
      return {
        intake: detail,
        excerpt: excerpt(detail, options.translator),
        pendingAppointments: pending.map((appointment) => ({
          id: appointment.id,
          when: format.format(appointment.start),
          department: appointment.department,
          doctor: appointment.doctorDisplay,
        })),
      };
    },
  );

  app.get(
    '/console/api/intakes/:id/fhir',
    { preHandler: allow('intakes:read'), schema: { params: idParams } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const detail = await intakes.detail(id);
      if (!detail) throw errors.notFound('no such intake');
      await record(request, 'intake.export', 'intake', id, { format: 'fhir-questionnaire-response' });
      const resource = intakeQuestionnaireResponse(detail, options.translator.getFixedT('en', 'triage'));
      return reply.type('application/fhir+json').send(resource);
    },
  );

  /** A POST action on one intake: CSRF-checked, for roles that may act, body validated. */
  const intakeAction = <Body>(
    action: string,
    body: Record<string, unknown> | undefined,
    handle: (
      id: string,
      body: Body,
      request: FastifyRequest,
    ) => Promise<{ status?: number; result: unknown }>,
  ) =>
    app.post(
      `/console/api/intakes/:id/${action}`,
      { ...changing('intakes:act'), schema: { params: idParams, ...(body ? { body } : {}) } },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        // Typed by the JSON schema above; free text cleaned and ids checked before any logic.
        const { status = 200, result } = await handle(
          id,
          consoleInput.intakeAction(request.body) as Body,
          request,
        );
        return reply.code(status).send(result);
      },
    );
  const object = (properties: Record<string, unknown>, required: string[] = []) => ({
    type: 'object',
    additionalProperties: false,
    required,
    properties,
  });

  intakeAction<{ acuity: Acuity; reason?: string }>(
    'acuity',
    object(
      { acuity: { type: 'integer', minimum: 1, maximum: 5 }, reason: { type: 'string', maxLength: 500 } },
      ['acuity'],
    ),
    async (id, { acuity, reason = '' }, request) => {
      const current = await intakes.detail(id);
      if (!current) throw errors.notFound('no such intake');
      // Keeping the level in force is a confirmation; changing it needs a reason.
      const override = acuity !== current.acuity;
      if (override && reason.trim().length < 3) throw errors.badRequest('changing the acuity needs a reason');
      if (!(await intakes.setAcuity(id, staffId(request), acuity, reason.trim()))) throw closedOrMissing();
      await record(request, override ? 'intake.acuity.override' : 'intake.acuity.confirm', 'intake', id, {
        from: current.acuity,
        to: acuity,
      });
      return { result: { acuity } };
    },
  );

  intakeAction<{ department: Department }>(
    'route',
    object({ department: { type: 'string', enum: [...DEPARTMENTS] } }, ['department']),
    async (id, { department }, request) => {
      if (!(await intakes.route(id, staffId(request), department))) throw closedOrMissing();
      await record(request, 'intake.route', 'intake', id, { department });
      return { result: { department } };
    },
  );

  intakeAction<{ template?: string; text?: string }>(
    'messages',
    {
      ...object({
        template: { type: 'string', enum: [...STAFF_MESSAGE_TEMPLATES] },
        text: { type: 'string', minLength: 1, maxLength: 1000 },
      }),
      oneOf: [{ required: ['template'] }, { required: ['text'] }],
    },
    async (id, body, request) => {
      const detail = await intakes.detail(id);
      if (!detail) throw errors.notFound('no such intake');
      const message: Record<string, string> = body.template
        ? { template: body.template }
        : { text: (body.text ?? '').trim() };
      if (!(await intakes.logMessage(id, staffId(request), message))) throw closedOrMissing();
      // Through the patient's own conversation, so it is ordered with everything else they get.
      await options.engine.notify(
        detail.address,
        // The intake id opens its thread: the patient's free-text answer comes back to it.
        { kind: 'system', name: 'staff.message', data: { ...message, intakeId: id } },
        `staff:${randomUUID()}`,
      );
      await record(
        request,
        'intake.message',
        'intake',
        id,
        body.template ? { template: body.template } : { typed: true },
      );
      return { status: 202, result: { status: 'sent' } };
    },
  );

  intakeAction<{ appointmentId: string }>(
    'approve-appointment',
    object({ appointmentId: { type: 'string', minLength: 1, maxLength: 64 } }, ['appointmentId']),
    async (id, { appointmentId }, request) => {
      const detail = await intakes.detail(id);
      if (!detail) throw errors.notFound('no such intake');
      // Only this intake's patient's own pending appointments can be approved from it.
      const pending = await options.hospital.pendingFor(detail.patient.id);
      if (!pending.some((appointment) => appointment.id === appointmentId))
        throw errors.conflict('no such appointment awaiting approval for this patient');
      const approved = await options.hospital.approve(appointmentId);
      if (!approved) throw errors.conflict('the appointment is no longer awaiting approval');
      const start = approved.start.toISOString();
      await intakes.logApproval(id, staffId(request), { start });
      await options.engine.notify(
        detail.address,
        { kind: 'system', name: 'booking.approved', data: { start } },
        `approve:${appointmentId}`,
      );
      await record(request, 'appointment.approve', 'intake', id, { appointment: appointmentId });
      return { result: { status: 'booked' } };
    },
  );

  intakeAction('close', undefined, async (id, _body, request) => {
    if (!(await intakes.close(id, staffId(request)))) throw closedOrMissing();
    await record(request, 'intake.close', 'intake', id);
    return { result: { status: 'closed' } };
  });

  app.get('/console/api/stream', { preHandler: allow('intakes:read') }, async (request, reply) => {
    const stream = openStream(request, reply);
    const stop = await options.kv.subscribe(INTAKE_FEED, (id) =>
      stream.write(`event: intake\ndata: ${JSON.stringify({ id })}\n\n`),
    );
    stream.onClose(() => void stop());
  });

  app.get(
    '/console/api/audit',
    {
      preHandler: allow('audit:read'),
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            before: { type: 'string', pattern: '^\\d{1,19}$' },
            subject: { type: 'string', maxLength: 254 },
          },
        },
      },
    },
    async (request) => {
      const query = consoleInput.auditQuery(request.query);
      const entries = await audit.list({ limit: 100, before: query.before, subjectId: query.subject });
      await record(request, 'audit.view', 'audit', '*');
      return { entries };
    },
  );

  const paymentView = (payment: PaymentWithPatient) => ({
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
    appointmentStart: payment.appointmentStart ? staffTime(payment.appointmentStart) : null,
    createdAt: staffTime(payment.createdAt),
  });
  const staffTime = (at: Date) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: options.hospitalTimeZone,
      dateStyle: 'medium',
      timeStyle: 'short',
    }).format(at);

  app.get('/console/api/payments', { preHandler: allow('payments:read') }, async (request) => {
    const payments = await options.payments.list();
    await record(request, 'payment.list', 'payment', '*', { count: payments.length });
    return { payments: payments.map(paymentView) };
  });

  /** A POST action on one payment: CSRF-checked, for roles that may refund, a reason required. */
  const paymentAction = (
    action: string,
    auditAction: string,
    allowed: (view: ReturnType<typeof paymentView>) => boolean,
    refusal: string,
    act: (payment: PaymentWithPatient) => Promise<Record<string, string | number>>,
  ) =>
    app.post(
      `/console/api/payments/:id/${action}`,
      {
        ...changing('payments:refund'),
        schema: {
          params: idParams,
          body: object({ reason: { type: 'string', minLength: 3, maxLength: 500 } }, ['reason']),
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const { reason } = consoleInput.paymentAction(request.body);
        const before = await options.payments.find(id);
        if (!before) throw errors.notFound('no such payment');
        if (!allowed(paymentView(before))) throw errors.conflict(refusal);
        const detail = await act(before);
        await record(request, auditAction, 'payment', id, { ...detail, reason: reason.trim() });
        const after = await options.payments.find(id);
        return { payment: after ? paymentView(after) : null };
      },
    );

  paymentAction(
    'refund',
    'payment.refund',
    (view) => view.refundable,
    'nothing left to refund on this payment',
    async (payment) => {
      await options.payments.refundByOperator(payment.id);
      return { amountMinor: payment.amountMinor - payment.refundedMinor, currency: payment.currency };
    },
  );

  paymentAction(
    'cancel-appointment',
    'payment.hospital-cancel',
    (view) => view.cancellable,
    'this payment has no booked appointment to cancel',
    async (payment) => {
      await options.payments.cancelByHospital(payment.id);
      return { appointment: payment.appointmentId ?? '' };
    },
  );

  app.get('/console/api/staff', { preHandler: allow('staff:read') }, async () => ({
    staff: await accounts.list(),
  }));
}

function staffId(request: FastifyRequest): string {
  if (!request.staff) throw errors.unauthorized();
  return request.staff.id;
}

const closedOrMissing = () => errors.conflict('the intake is closed or does not exist');

/** Texts the console shows for codes (English: the console's language). */
function labels(translator: i18n, emergencyNumber = '112') {
  const t = translator.getFixedT('en', 'triage');
  const section = (key: string) => t(key, { returnObjects: true }) as Record<string, string>;
  return {
    complaint: section('complaint'),
    redFlag: section('redFlag'),
    department: section('department'),
    onset: section('onset'),
    templates: Object.fromEntries(
      STAFF_MESSAGE_TEMPLATES.map((name) => [
        name,
        t(`staff.templates.${name}`, { number: emergencyNumber }),
      ]),
    ),
  };
}

/** The questions as the patient saw them, in their language, with what they answered. */
function excerpt(detail: IntakeDetail, translator: i18n): { question: string; answer: string }[] {
  const locale = isLocale(detail.locale) ? detail.locale : 'en';
  const t = translator.getFixedT(locale, 'triage');
  const rule = complaintRule(detail.answers.complaint);
  if (!rule) return [];
  const { answers } = detail;
  const yesNo = (value: string | undefined) => (value ? t(`intake.${value}`) : '–');
  const lines = [{ question: t('intake.complaint'), answer: t(`complaint.${rule.id}`) }];
  for (const question of questionsFor(rule, answers.age)) {
    switch (question.kind) {
      case 'onset':
        lines.push({
          question: t('intake.onset'),
          answer: answers.onset
            ? answers.onset === 'unknown'
              ? t('intake.unknown')
              : t(`onset.${answers.onset}`)
            : '–',
        });
        break;
      case 'severity':
        lines.push({
          question: t('intake.severity'),
          answer: answers.severity === undefined ? t('intake.unknown') : `${answers.severity}/10`,
        });
        break;
      case 'redFlag':
        if (answers.redFlags[question.id])
          lines.push({ question: t(`redFlag.${question.id}`), answer: yesNo(answers.redFlags[question.id]) });
        break;
      case 'pregnancy':
        lines.push({ question: t('intake.pregnancy'), answer: yesNo(answers.pregnant) });
        break;
      case 'temperature':
        lines.push({
          question: t('intake.temperature'),
          answer: answers.temperature === undefined ? t('intake.unknown') : `${answers.temperature} °C`,
        });
        break;
      case 'describe':
        if (detail.description) lines.push({ question: t('intake.describe'), answer: detail.description });
        break;
    }
  }
  return lines;
}
