// Who may reach the built-in hospital at /fhir/R4. It holds patients' names, birth dates and
// phones and every appointment, so: Frontdoor itself (its own FHIR client, with a token made at
// start and never shown) reads and writes; clinical staff signed in to the console and API keys
// with the `fhir` scope read; everyone else gets 401. Nobody but Frontdoor writes, so a booking
// is only ever changed through the flows that keep payments and the chat in step.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../../security/audit-log.ts';
import type { ApiKeys } from '../../security/api-keys.ts';
import type { Role } from '../../security/staff-accounts.ts';
import type { StaffSessions } from '../../security/staff-sessions.ts';
import { errors } from '../../server/errors.ts';

/** The console session cookie (signed), as the console sets it. */
const STAFF_COOKIE = 'fd_staff';
/** Roles that read health data in the console may read it here too; an admin does not. */
export const FHIR_READER_ROLES: readonly Role[] = ['nurse', 'doctor'];
export const FHIR_SCOPE = 'fhir';

export interface DemoHospitalAccess {
  /** The bearer token Frontdoor's own FHIR client sends. */
  internalToken: string;
  apiKeys: ApiKeys;
  sessions: StaffSessions;
  audit: AuditLog;
  /** Checks the signature of the console cookie; undefined when it is not valid. */
  unsignCookie: (raw: string) => string | undefined;
}

export type FhirCaller =
  | { kind: 'frontdoor' }
  | { kind: 'staff'; id: string; email: string }
  | { kind: 'api-key'; id: string; name: string };

const READS = new Set(['GET', 'HEAD']);

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      // A malformed escape is a stranger's cookie, not our error.
      try {
        return decodeURIComponent(part.slice(at + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Who is calling, or an AppError (401 unknown, 403 not allowed) to refuse the request with. */
export async function authorizeFhirRequest(
  request: FastifyRequest,
  access: DemoHospitalAccess,
): Promise<FhirCaller> {
  const read = READS.has(request.method);
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (bearer) {
    if (sameToken(bearer, access.internalToken)) return { kind: 'frontdoor' };
    const holder = await access.apiKeys.verify(bearer);
    if (!holder) throw errors.unauthorized('unknown or revoked API key');
    if (!holder.scopes.includes(FHIR_SCOPE)) throw errors.forbidden('this API key has no fhir scope');
    if (!read) throw errors.forbidden('the built-in hospital is changed only by Frontdoor itself');
    const caller = { kind: 'api-key' as const, id: holder.id, name: holder.name };
    await audit(request, access, caller);
    return caller;
  }
  const raw = cookieValue(request.headers.cookie, STAFF_COOKIE);
  const token = raw ? access.unsignCookie(raw) : undefined;
  const staff = token ? await access.sessions.find(token) : undefined;
  if (!staff) throw errors.unauthorized('sign in to the console or send an API key with the fhir scope');
  if (!staff.roles.some((role) => FHIR_READER_ROLES.includes(role)))
    throw errors.forbidden('your role may not read the hospital records');
  if (!read) throw errors.forbidden('the built-in hospital is changed only by Frontdoor itself');
  const caller = { kind: 'staff' as const, id: staff.id, email: staff.email };
  await audit(request, access, caller);
  return caller;
}

/** Every read by a person or a key is in the audit log (the search terms are not: they name patients). */
async function audit(
  request: FastifyRequest,
  access: DemoHospitalAccess,
  caller: Exclude<FhirCaller, { kind: 'frontdoor' }>,
): Promise<void> {
  const path = request.url.split('?')[0]!.slice('/fhir/R4/'.length);
  await access.audit.record({
    actorId: caller.kind === 'staff' ? caller.id : null,
    actorLabel: caller.kind === 'staff' ? caller.email : `api-key:${caller.name}`,
    action: 'fhir.read',
    subjectType: 'fhir',
    subjectId: path.slice(0, 200),
    ip: request.ip,
  });
}
