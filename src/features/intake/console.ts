// The triage inbox's console API: the open intakes, one intake's detail and FHIR export, and
// what a nurse or doctor does on it (acuity, route, message, close). Health data is for the
// clinical roles only; every read and action writes an audit row.
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { i18n } from 'i18next';
import { STAFF_MESSAGE_TEMPLATES, type IntakeDetail } from '../../domain/intakes.ts';
import {
  DEPARTMENTS,
  complaintRule,
  questionsFor,
  type Acuity,
  type Department,
} from '../../domain/triage.ts';
import { isLocale, type Locale } from '../../i18n/locales.ts';
import { intakeQuestionnaireResponse } from '../../integrations/fhir/intake-questionnaire-response.ts';
import { errors } from '../../server/errors.ts';
import { inboxRow } from '../../server/console/events.ts';
import { consoleInput } from '../../server/console/input.ts';
import {
  consolePlugin,
  guards,
  idParams,
  objectSchema,
  recorder,
  staffId,
  staffTime,
  type Permissions,
} from '../../server/console/plugin.ts';

/** The channel on which the intake store names every intake it stores or changes. */
export const INTAKE_FEED = 'console:intakes';

const CLINICAL = ['nurse', 'doctor'] as const;
const permissions = { 'intakes:read': CLINICAL, 'intakes:act': CLINICAL } as const satisfies Permissions;

export const closedOrMissing = () => errors.conflict('the intake is closed or does not exist');

export const intakeConsole = consolePlugin({
  name: 'intake',
  permissions,
  feeds: [
    {
      channel: INTAKE_FEED,
      roles: permissions['intakes:read'],
      toEvent: async (id, deps) => {
        const detail = await deps.intakes.detail(id);
        if (!detail) return undefined;
        return detail.status === 'closed'
          ? { type: 'intake.closed', id }
          : { type: 'intake.changed', intake: inboxRow(detail) };
      },
    },
  ],
  labels: (deps, locale) => intakeLabels(deps.translator, locale, deps.emergencyNumber),
  routes: async (app, deps) => {
    const { intakes } = deps;
    const { allow, changing } = guards(app, permissions);
    const record = recorder(deps.audit);

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
        const pending = await deps.hospital.pendingFor(detail.patient.id).catch((error: unknown) => {
          request.log.warn({ err: error }, 'could not read pending appointments from the hospital');
          return [];
        });
        const when = staffTime(deps.hospitalTimeZone, 'full');
        return {
          intake: detail,
          excerpt: excerpt(detail, deps.translator),
          pendingAppointments: pending.map((appointment) => ({
            id: appointment.id,
            when: when(appointment.start),
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
        const resource = intakeQuestionnaireResponse(detail, deps.translator.getFixedT('en', 'triage'));
        return reply.type('application/fhir+json').send(resource);
      },
    );

    const intakeAction = intakeActionRoute(app, changing('intakes:act'));

    intakeAction<{ acuity: Acuity; reason?: string }>(
      'acuity',
      objectSchema(
        { acuity: { type: 'integer', minimum: 1, maximum: 5 }, reason: { type: 'string', maxLength: 500 } },
        ['acuity'],
      ),
      async (id, { acuity, reason = '' }, request) => {
        const current = await intakes.detail(id);
        if (!current) throw errors.notFound('no such intake');
        // Keeping the level in force is a confirmation; changing it needs a reason.
        const override = acuity !== current.acuity;
        if (override && reason.trim().length < 3)
          throw errors.badRequest('changing the acuity needs a reason');
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
      objectSchema({ department: { type: 'string', enum: [...DEPARTMENTS] } }, ['department']),
      async (id, { department }, request) => {
        if (!(await intakes.route(id, staffId(request), department))) throw closedOrMissing();
        await record(request, 'intake.route', 'intake', id, { department });
        return { result: { department } };
      },
    );

    intakeAction<{ template?: string; text?: string }>(
      'messages',
      {
        ...objectSchema({
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
        // The intake id opens its thread: the patient's free-text answer comes back to it.
        await deps.engine.notify(
          detail.address,
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

    intakeAction('close', undefined, async (id, _body, request) => {
      if (!(await intakes.close(id, staffId(request)))) throw closedOrMissing();
      await record(request, 'intake.close', 'intake', id);
      return { result: { status: 'closed' } };
    });
  },
});

type RouteGuard = ReturnType<ReturnType<typeof guards>['changing']>;

/**
 * Declares POST /console/api/intakes/:id/<action>: CSRF-checked, for the roles `guard` lets
 * through, body validated by its JSON schema and its free text cleaned before `handle` runs.
 */
export function intakeActionRoute(
  app: Parameters<typeof guards>[0],
  guard: RouteGuard,
): <Body>(
  action: string,
  body: Record<string, unknown> | undefined,
  handle: (id: string, body: Body, request: FastifyRequest) => Promise<{ status?: number; result: unknown }>,
) => void {
  return (action, body, handle) => {
    app.post(
      `/console/api/intakes/:id/${action}`,
      { ...guard, schema: { params: idParams, ...(body ? { body } : {}) } },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        // Typed by the JSON schema above; free text cleaned and ids checked before any logic.
        const { status = 200, result } = await handle(
          id,
          consoleInput.intakeAction(request.body) as Parameters<typeof handle>[1],
          request,
        );
        return reply.code(status).send(result);
      },
    );
  };
}

/** Texts the console shows for triage codes, in the staff member's language. */
export function intakeLabels(translator: i18n, locale: Locale, emergencyNumber = '112') {
  const t = translator.getFixedT(locale, 'triage');
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
export type IntakeLabels = ReturnType<typeof intakeLabels>;

function questionText(question: ReturnType<typeof questionsFor>[number], t: (key: string) => string): string {
  return question.kind === 'redFlag' ? t(`redFlag.${question.id}`) : t(`intake.${question.kind}`);
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
  const typed = detail.typedRedFlags.length > 0;
  for (const [index, question] of questionsFor(rule, answers.age).entries()) {
    // Questions an emergency stopped were never asked: only the one a phrase was typed at is
    // shown, with what the patient typed there.
    if (answers.stoppedAt !== undefined && index >= answers.stoppedAt) {
      if (index === answers.stoppedAt && typed && detail.description)
        lines.push({ question: questionText(question, t), answer: `⚠ ${detail.description}` });
      break;
    }
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
