// Signing in and out, and who is signed in. Sessions are opaque tokens in a signed httpOnly
// SameSite=Strict cookie; the sign-in itself is throttled per account and per address.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Locale } from '../../i18n/locales.ts';
import type { StaffSessions } from '../../security/staff-sessions.ts';
import type { SignInThrottle } from '../../security/sign-in-throttle.ts';
import { errors } from '../errors.ts';
import { consoleInput } from './input.ts';
import { guards, recorder, type ConsoleDeps } from './plugin.ts';

export const SESSION_COOKIE = 'fd_staff';
const SESSION_COOKIE_PATH = '/';

export interface AuthOptions {
  sessions: StaffSessions;
  signInThrottle: SignInThrottle;
  secureCookies: boolean;
  /** The staff member's console language for a request. */
  localeOf(request: FastifyRequest): Locale;
  /** Every plugin's code texts in `locale`. */
  labels(locale: Locale): Record<string, unknown>;
}

const signInSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: {
    email: { type: 'string', minLength: 3, maxLength: 254 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export function authRoutes(options: AuthOptions): FastifyPluginAsync<ConsoleDeps> {
  return async (app, deps) => {
    const { sessions } = options;
    const { allow, changing, checkCsrf } = guards(app, {});
    const record = recorder(deps.audit);

    app.get('/console/api/csrf', async (_request, reply) => ({ csrfToken: reply.generateCsrf() }));

    app.post(
      '/console/api/sign-in',
      { onRequest: checkCsrf, schema: { body: signInSchema } },
      async (request, reply) => {
        const { email, password } = consoleInput.signIn(request.body);
        const account = email.trim().toLowerCase().slice(0, 254);
        const attempt = await options.signInThrottle.attempt({ account, address: request.ip }, () =>
          deps.accounts.signIn(email, password),
        );
        const refused = (action: string, detail: Record<string, string | number>) =>
          deps.audit.record({
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
          // One row per wait (its first refusal); the rest are counted in the metrics.
          if (attempt.firstOfWait)
            await refused('staff.sign-in.throttled', { by: attempt.by, retryAfterSeconds: seconds });
          throw errors.tooManyAttempts(seconds);
        }
        const result = attempt.result;
        if (!result.ok) {
          await refused('staff.sign-in.failed', { reason: result.why });
          throw errors.unauthorized('wrong email or password');
        }
        const token = await sessions.create(result.staff, result.credentialVersion);
        reply.setCookie(SESSION_COOKIE, token, {
          signed: true,
          httpOnly: true,
          sameSite: 'strict',
          secure: options.secureCookies,
          // The whole site, not /console: a signed-in nurse's browser also reads the built-in
          // hospital at /fhir/R4 with it. httpOnly and SameSite=Strict keep it from scripts and
          // other sites; every change still needs the console's CSRF token.
          path: SESSION_COOKIE_PATH,
        });
        request.staff = result.staff;
        await record(request, 'staff.sign-in', 'staff', result.staff.id);
        return { staff: result.staff };
      },
    );

    app.post('/console/api/sign-out', changing(), async (request, reply) => {
      if (request.staffToken) await sessions.destroy(request.staffToken);
      await record(request, 'staff.sign-out', 'staff', request.staff?.id ?? '');
      reply.clearCookie(SESSION_COOKIE, { path: SESSION_COOKIE_PATH });
      return { signedOut: true };
    });

    app.get('/console/api/me', { preHandler: allow() }, async (request, reply) => {
      const locale = options.localeOf(request);
      return {
        staff: request.staff,
        csrfToken: reply.generateCsrf(),
        locale,
        labels: options.labels(locale),
      };
    });
  };
}
