// The staff console: the page, sessions and CSRF for every request, and the plugins that bring
// its API: sign-in, staff, the audit log and the live stream here; intakes, bookings and
// payments from their features. Every read of an intake and every action writes an audit row.
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { features } from '../../features/index.ts';
import { INTAKE_FEED } from '../../features/intake/console.ts';
import { DEFAULT_LOCALE, resolveLocale, type Locale } from '../../i18n/locales.ts';
import type { StaffMember } from '../../security/staff-accounts.ts';
import type { StaffSessions } from '../../security/staff-sessions.ts';
import type { SignInThrottle } from '../../security/sign-in-throttle.ts';
import { auditConsole } from './audit.ts';
import { SESSION_COOKIE, authRoutes } from './auth.ts';
import { consolePage } from './page.ts';
import type { ConsoleDeps, ConsolePlugin } from './plugin.ts';
import { staffConsole } from './staff.ts';
import { streamRoutes } from './stream.ts';

export { INTAKE_FEED };

/** The console's plugins when the runtime names none: every feature's, then the console's own. */
export const CONSOLE_PLUGINS: ConsolePlugin[] = [
  ...features.flatMap((feature) => feature.console ?? []),
  auditConsole,
  staffConsole,
];

/** The console language a staff member chose (kept in a cookie by the page's switch). */
export const LOCALE_COOKIE = 'fd_console_lang';

export interface ConsoleOptions extends ConsoleDeps {
  sessions: StaffSessions;
  /** Back-off after failed sign-ins, per account and per client address. */
  signInThrottle: SignInThrottle;
  cookieSecret: string;
  secureCookies: boolean;
  /** Required here (the page's title); optional for the plugins. */
  hospitalName: string;
  plugins?: ConsolePlugin[];
}

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffMember;
    staffToken?: string;
  }
}

export async function registerConsole(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const plugins = options.plugins ?? CONSOLE_PLUGINS;
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

  app.addHook('onRequest', async (request) => {
    const raw = request.cookies[SESSION_COOKIE];
    const token = raw ? request.unsignCookie(raw) : undefined;
    if (token?.valid && token.value) {
      request.staff = await options.sessions.find(token.value);
      if (request.staff) request.staffToken = token.value;
    }
  });

  // A signed-in staff member refused (a role without the permission, a missing CSRF token) is an
  // audit row too: who tried what. Anonymous 401s are not, so a stranger cannot fill the log.
  // Written before the answer leaves, so whoever reads the log after the 403 finds the row.
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode !== 403 || !request.staff || !request.url.startsWith('/console/api/'))
      return payload;
    await options.audit
      .record({
        actorId: request.staff.id,
        actorLabel: request.staff.email,
        action: 'console.refused',
        subjectType: 'console',
        subjectId: (request.routeOptions.url ?? request.url.split('?')[0]!).slice(0, 200),
        ip: request.ip,
        detail: { method: request.method, status: reply.statusCode },
      })
      .catch((error: unknown) => request.log.error({ err: error }, 'audit row for a refusal not written'));
    return payload;
  });

  const localeOf = (request: FastifyRequest): Locale =>
    resolveLocale(request.cookies[LOCALE_COOKIE]) ?? acceptedLocale(request.headers['accept-language']);

  app.get('/console', async (request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(consolePage(options.hospitalName, localeOf(request), options.translator)),
  );

  // Each plugin in its own scope: hooks it adds stay its own; sessions and CSRF are inherited.
  await app.register(
    authRoutes({
      sessions: options.sessions,
      signInThrottle: options.signInThrottle,
      secureCookies: options.secureCookies,
      localeOf,
      labels: (locale): Record<string, unknown> =>
        Object.assign({}, ...plugins.map((plugin) => plugin.labels?.(options, locale) ?? {})) as Record<
          string,
          unknown
        >,
    }),
    options,
  );
  for (const plugin of plugins) await app.register(plugin.routes, options);
  await app.register(streamRoutes(plugins.flatMap((plugin) => plugin.feeds ?? [])), options);
}

/** The first Accept-Language tag the console speaks. */
function acceptedLocale(header: string | undefined): Locale {
  for (const part of (header ?? '').split(',')) {
    const locale = resolveLocale(part.split(';')[0]);
    if (locale) return locale;
  }
  return DEFAULT_LOCALE;
}
