// The patient's queue pages, opened by signed links (src/security/checkin-token.ts):
// /checkin/<token> shows the appointment and a button — only the POST checks in, so a link
// preview or prefetch that GETs it changes nothing — and /ticket/<token> is the live ticket,
// updated over /ticket/<token>/stream as the department's queue moves.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { i18n } from 'i18next';
import type { CheckInRefusal, CheckInResult, QueueDesk, TicketView } from '../../domain/queue.ts';
import { checkInTiming, type CheckInWindow } from '../../domain/queue-rules.ts';
import { DEPARTMENTS, type Department } from '../../domain/triage.ts';
import { DEFAULT_LOCALE, resolveLocale, type Locale } from '../../i18n/locales.ts';
import { errors } from '../../server/errors.ts';
import { escapeHtml, htmlPage } from '../../server/html.ts';
import { ticketOnBoard, type DepartmentWatch } from './department-watch.ts';
import { publicStreams } from './live-stream.ts';

/** The FHIR statuses the desk checks in (see PrismaQueue's check-in). */
const CHECKABLE = ['booked', 'arrived', 'checked-in'];

/** The signed links' port (CheckInTokens in src/security/checkin-token.ts). */
export interface QueueLinks {
  verify(purpose: 'checkin' | 'ticket', token: string): string | undefined;
  ticketUrl(ticketId: string): string;
}

/** What the check-in page shows of the appointment. */
export interface CheckInAppointment {
  start: Date;
  /** The FHIR Appointment's status: only booked (or already arrived) ones can be checked in. */
  status?: string;
  department?: Department;
  doctorDisplay?: string;
}

export interface PatientPagesDeps {
  queue: QueueDesk;
  watch: DepartmentWatch;
  links: QueueLinks;
  translator: i18n;
  hospitalName: string;
  hospitalTimeZone: string;
  /** CHECKIN_WINDOW_MINUTES: the page says when check-in opens before the button is pressed. */
  checkInWindow: CheckInWindow;
  /** Now, from the runtime's clock. */
  now(): number;
  /** The appointment a check-in link names, or undefined when the hospital has none. */
  appointment(id: string): Promise<CheckInAppointment | undefined>;
  /** Checks the appointment's patient in (and tells their chat); undefined when nobody is known for it. */
  checkIn(appointmentId: string): Promise<CheckInResult | undefined>;
}

export interface TicketBoot {
  ticket: TicketView;
  hospitalName: string;
  locale: Locale;
  departments: Record<string, string>;
  texts: Record<string, unknown>;
}

/** The page's language: ?lang=, else the browser's, else English. */
export function pageLocale(request: FastifyRequest): Locale {
  const asked = resolveLocale((request.query as { lang?: string } | undefined)?.lang);
  if (asked) return asked;
  for (const part of (request.headers['accept-language'] ?? '').split(',')) {
    const locale = resolveLocale(part.split(';')[0]);
    if (locale) return locale;
  }
  return DEFAULT_LOCALE;
}

/** The live ticket page of a ticket, as a path on this server (links carry the public base). */
export const ticketPath = (links: QueueLinks, ticketId: string): string =>
  new URL(links.ticketUrl(ticketId)).pathname;

export function registerPatientPages(app: FastifyInstance, deps: PatientPagesDeps): void {
  const text = (locale: Locale) => deps.translator.getFixedT(locale, 'queue-pages');
  const departmentName = (locale: Locale, code: string) =>
    deps.translator.getFixedT(locale, 'triage')(`department.${code}`);
  const simplePage = (locale: Locale, title: string, body: string) =>
    htmlPage({
      lang: locale,
      title: `${title} · ${deps.hospitalName}`,
      entry: 'pages',
      body: `<div class="simple-page narrow queue-page"><p class="hospital">${escapeHtml(deps.hospitalName)}</p><h1>${escapeHtml(title)}</h1>${body}</div>`,
      noindex: true,
    });
  const sendHtml = (
    reply: { type(t: string): { header(n: string, v: string): { send(b: string): unknown } } },
    html: string,
  ) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  const goneLink = (locale: Locale) =>
    simplePage(locale, text(locale)('link.title'), `<p>${escapeHtml(text(locale)('link.invalid'))}</p>`);

  // ---- check-in -------------------------------------------------------------------------------
  const when = (locale: Locale, at: Date | number) =>
    new Intl.DateTimeFormat(locale, {
      timeZone: deps.hospitalTimeZone,
      dateStyle: 'full',
      timeStyle: 'short',
    }).format(at);
  const time = (locale: Locale, at: number) =>
    new Intl.DateTimeFormat(locale, { timeZone: deps.hospitalTimeZone, timeStyle: 'short' }).format(at);

  const checkInPage = async (locale: Locale, token: string, refusal?: CheckInRefusal) => {
    const t = text(locale);
    const appointmentId = deps.links.verify('checkin', token);
    if (!appointmentId) return { status: 404, html: goneLink(locale) };
    const appointment = await deps.appointment(appointmentId);
    if (!appointment) return { status: 404, html: goneLink(locale) };
    const facts = [
      [t('checkin.when'), when(locale, appointment.start)],
      ...(appointment.department
        ? [[t('checkin.department'), departmentName(locale, appointment.department)]]
        : []),
      ...(appointment.doctorDisplay ? [[t('checkin.doctor'), appointment.doctorDisplay]] : []),
    ];
    const dl = `<dl class="facts">${facts.map(([term, value]) => `<dt>${escapeHtml(term!)}</dt><dd>${escapeHtml(value!)}</dd>`).join('')}</dl>`;
    // A cancelled (or otherwise ended) appointment: no button to press only to be refused.
    if (appointment.status && !CHECKABLE.includes(appointment.status))
      return {
        status: 200,
        html: simplePage(
          locale,
          t('checkin.title'),
          `${dl}\n<p class="refused" role="alert">${escapeHtml(t('checkin.cancelled'))}</p>`,
        ),
      };
    const timing = checkInTiming(appointment.start.getTime(), deps.now(), deps.checkInWindow);
    const shown: CheckInRefusal | undefined =
      refusal ??
      (timing.open
        ? undefined
        : timing.reason === 'too_early'
          ? { reason: 'too_early', opensAt: timing.opensAt }
          : { reason: 'too_late', closedAt: timing.closedAt });
    const refused = shown
      ? `<p class="refused" role="alert">${escapeHtml(refusalText(locale, shown))}</p>`
      : '';
    const body = `${dl}
${refused}<form method="post" action="/checkin/${encodeURIComponent(token)}?lang=${encodeURIComponent(locale)}"><button type="submit" class="big">${escapeHtml(t('checkin.button'))}</button></form>
<p class="muted">${escapeHtml(t('checkin.hint'))}</p>`;
    return { status: 200, html: simplePage(locale, t('checkin.title'), body) };
  };

  const refusalText = (locale: Locale, refusal: CheckInRefusal): string => {
    const t = text(locale);
    switch (refusal.reason) {
      case 'too_early':
        return t('checkin.tooEarly', { time: time(locale, refusal.opensAt) });
      case 'too_late':
        return t('checkin.tooLate', { time: time(locale, refusal.closedAt) });
      case 'no_appointment':
        return t('checkin.noAppointment');
      case 'walk_in_not_allowed':
        return t('checkin.noAppointment');
      case 'hospital_unavailable':
        return t('checkin.unavailable');
    }
  };

  app.get<{ Params: { token: string } }>('/checkin/:token', async (request, reply) => {
    const page = await checkInPage(pageLocale(request), request.params.token);
    return sendHtml(reply.code(page.status), page.html);
  });

  void app.register(async (scope) => {
    // The page's form posts an empty urlencoded body; nothing in it is read.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) =>
      done(null, body),
    );
    scope.post<{ Params: { token: string } }>('/checkin/:token', async (request, reply) => {
      const locale = pageLocale(request);
      const appointmentId = deps.links.verify('checkin', request.params.token);
      if (!appointmentId) return sendHtml(reply.code(404), goneLink(locale));
      const result = await deps.checkIn(appointmentId);
      if (result && 'ticket' in result)
        return reply.redirect(
          `${ticketPath(deps.links, result.ticket.id)}?lang=${encodeURIComponent(locale)}`,
          303,
        );
      const page = await checkInPage(
        locale,
        request.params.token,
        result?.refused ?? { reason: 'no_appointment' },
      );
      return sendHtml(reply.code(page.status === 200 ? 409 : page.status), page.html);
    });
  });

  // ---- the live ticket ------------------------------------------------------------------------
  app.get<{ Params: { token: string } }>('/ticket/:token', async (request, reply) => {
    const locale = pageLocale(request);
    const id = deps.links.verify('ticket', request.params.token);
    const ticket = id ? await deps.queue.ticket(id) : undefined;
    if (!ticket) return sendHtml(reply.code(404), goneLink(locale));
    const boot: TicketBoot = {
      ticket,
      hospitalName: deps.hospitalName,
      locale,
      departments: Object.fromEntries(DEPARTMENTS.map((code) => [code, departmentName(locale, code)])),
      texts: (
        deps.translator.getResourceBundle(locale, 'queue-pages') as Record<string, Record<string, unknown>>
      ).ticket!,
    };
    return sendHtml(
      reply,
      htmlPage({
        lang: locale,
        title: `${ticket.label} · ${deps.hospitalName}`,
        entry: 'ticket',
        body: `<div id="app"><main class="ticket"><p class="label">${escapeHtml(ticket.label)}</p></main></div>`,
        data: boot,
        noindex: true,
      }),
    );
  });

  const openStream = publicStreams(app, 'ticket');
  app.get<{ Params: { token: string } }>('/ticket/:token/stream', async (request, reply) => {
    const id = deps.links.verify('ticket', request.params.token);
    if (!id) throw errors.notFound('no such ticket');
    await openStream<TicketView>(request, reply, async (send) => {
      const first = await deps.queue.ticket(id);
      if (!first) throw errors.notFound('no such ticket');
      send(first);
      return followTicket(deps, id, first, send);
    });
  });
}

/**
 * Sends the ticket's view after each change of its department, computed from the board the
 * department's watch read once for every watcher. Off the board (done, left, or transferred) it
 * is read once: a transfer is followed to the other department, an end stops watching.
 */
async function followTicket(
  deps: Pick<PatientPagesDeps, 'queue' | 'watch'>,
  id: string,
  first: TicketView,
  send: (view: TicketView) => void,
): Promise<() => void> {
  let stopped = false;
  let stop = () => {};
  let lookingUp = false;
  const follow = async (department: Department): Promise<void> => {
    stop = await deps.watch.watch(department, (board) => {
      const view = ticketOnBoard(board, id);
      if (view) return send(view);
      if (lookingUp) return;
      lookingUp = true;
      void (async () => {
        const ticket = await deps.queue.ticket(id);
        if (!ticket || stopped) return;
        send(ticket);
        if (ticket.department !== department) {
          stop();
          if (!stopped) await follow(ticket.department);
        } else if (ticket.status === 'done' || ticket.status === 'left') stop();
      })()
        .catch(() => undefined)
        .finally(() => {
          lookingUp = false;
        });
    });
  };
  await follow(first.department);
  return () => {
    stopped = true;
    stop();
  };
}
