// The waiting-room display: /display/<department code>, public (a TV in the waiting room has
// no one to sign in), showing only what the public QueueBoard holds — ticket numbers, rooms and
// waits, never a name, phone or birth date — live over /display/<code>/stream.
import type { FastifyInstance } from 'fastify';
import type { i18n } from 'i18next';
import type { QueueBoard } from '../../domain/queue.ts';
import { DEPARTMENTS, type Department } from '../../domain/triage.ts';
import { isLocale, resolveLocale, type Locale } from '../../i18n/locales.ts';
import { errors } from '../../server/errors.ts';
import { escapeHtml, htmlPage } from '../../server/html.ts';
import type { DepartmentWatch } from './department-watch.ts';
import { publicStreams } from './live-stream.ts';

/** The language of a hospital's country, for its waiting-room signs. */
const LANGUAGE_OF_COUNTRY: Record<string, Locale> = {
  VN: 'vi',
  CN: 'zh-CN',
  TW: 'zh-CN',
  SG: 'zh-CN',
  TH: 'th',
  JP: 'ja',
  FR: 'fr',
  BE: 'fr',
};

/** The display's first language (the hospital's) and its second line's (English, or none). */
export function displayLanguages(country: string, query: { lang?: string; second?: string }): Locale[] {
  const first = resolveLocale(query.lang) ?? LANGUAGE_OF_COUNTRY[country] ?? 'en';
  const asked = query.second === 'none' ? undefined : resolveLocale(query.second);
  const second = asked ?? (query.second === 'none' || first === 'en' ? undefined : 'en');
  return second && second !== first ? [first, second] : [first];
}

export interface DisplayBoot {
  department: Department;
  hospitalName: string;
  timeZone: string;
  /** Texts per language, first the hospital's. */
  languages: { locale: Locale; department: string; texts: Record<string, unknown> }[];
}

export interface DisplayDeps {
  watch: DepartmentWatch;
  translator: i18n;
  hospitalName: string;
  hospitalCountry: string;
  hospitalTimeZone: string;
}

const departmentOf = (code: string): Department => {
  if (!(DEPARTMENTS as readonly string[]).includes(code)) throw errors.notFound('no such department');
  return code as Department;
};

/** Only the public board's fields, whatever richer object the desk hands back. */
export function publicBoard(board: QueueBoard): QueueBoard {
  return {
    department: board.department,
    day: board.day,
    calling: board.calling.map(({ label, room, calledAt, recalls }) => ({ label, room, calledAt, recalls })),
    waiting: board.waiting.map(({ label, kind, etaMinutes }) => ({ label, kind, etaMinutes })),
    averageServiceMinutes: board.averageServiceMinutes,
  };
}

export function registerDisplayPage(app: FastifyInstance, deps: DisplayDeps): void {
  const openStream = publicStreams(app, 'board');

  app.get<{ Params: { department: string }; Querystring: { lang?: string; second?: string } }>(
    '/display/:department',
    async (request, reply) => {
      const department = departmentOf(request.params.department);
      const languages = displayLanguages(deps.hospitalCountry, request.query);
      const boot: DisplayBoot = {
        department,
        hospitalName: deps.hospitalName,
        timeZone: deps.hospitalTimeZone,
        languages: languages.filter(isLocale).map((locale) => ({
          locale,
          department: deps.translator.getFixedT(locale, 'triage')(`department.${department}`),
          texts: (
            deps.translator.getResourceBundle(locale, 'queue-pages') as Record<
              string,
              Record<string, unknown>
            >
          ).display!,
        })),
      };
      const title = `${boot.languages[0]!.department} · ${deps.hospitalName}`;
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(
          htmlPage({
            lang: languages[0]!,
            title,
            entry: 'display',
            body: `<div id="app"><h1 class="display-loading">${escapeHtml(title)}</h1></div>`,
            data: boot,
            noindex: true,
          }),
        );
    },
  );

  app.get<{ Params: { department: string } }>('/display/:department/stream', async (request, reply) => {
    const department = departmentOf(request.params.department);
    // The department's kept board: opening a display reads nothing when others watch it.
    await openStream<QueueBoard>(request, reply, (send) =>
      deps.watch.watch(department, (board) => send(publicBoard(board))),
    );
  });
}
