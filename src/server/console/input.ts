// What the console's requests may carry beyond their JSON schemas (which fix the types): staff
// emails and audit subjects are keys, so control characters or broken Unicode in them are
// refused; free text a nurse types is cleaned before it is stored or sent to a patient.
import { z } from 'zod';
import { cleanString, nonEmptyText, parseInput, safeId, safeLine } from '../validation.ts';

/** The largest audit row id PostgreSQL's bigint holds. */
const MAX_BIGINT = 9_223_372_036_854_775_807n;

const signIn = z.object({ email: safeLine(3, 254), password: z.string().min(1).max(1024) });

const auditQuery = z.object({
  before: z
    .string()
    .regex(/^\d{1,19}$/)
    .refine((value) => BigInt(value) <= MAX_BIGINT, { message: 'is past the last audit row id' })
    .optional(),
  subject: safeLine(0, 254).optional(),
});

// Loose: the fields typed only by the route's JSON schema (acuity, department, template) pass.
const intakeAction = z.looseObject({
  reason: cleanString(500).optional(),
  text: nonEmptyText(1000).optional(),
  appointmentId: safeId(64).optional(),
});

const paymentAction = z.object({ reason: nonEmptyText(500) });

export const consoleInput = {
  signIn: (body: unknown) => parseInput(signIn, body),
  auditQuery: (query: unknown) => parseInput(auditQuery, query),
  /** An intake action's body with its text cleaned and its ids checked (close has none). */
  intakeAction: (body: unknown): unknown => (body === undefined ? body : parseInput(intakeAction, body)),
  paymentAction: (body: unknown) => parseInput(paymentAction, body),
};
