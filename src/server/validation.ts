// Schemas for what arrives from outside (webhook bodies, console and web chat requests), parsed
// before any logic runs: a body that does not fit is a 400 and changes nothing. Only the fields
// we use are typed; the rest of a platform's payload is ignored, so new platform fields never
// break us. Free text comes out cleaned (src/domain/text.ts); identifiers that are not plain
// printable ASCII are refused.
import { z } from 'zod';
import { cleanText, isSafeId, isSafeLine } from '../domain/text.ts';
import { errors } from './errors.ts';

/** An identifier (platform user id, event id, token) of at most `max` printable ASCII characters. */
export const safeId = (max = 128) =>
  z.string().refine((value) => isSafeId(value, max), {
    message: `must be 1-${max} printable ASCII characters`,
  });

/** Free text, cleaned: NFC, no control characters but newline and tab, no lone surrogates. */
export const cleanString = (max = 10_000) => z.string().max(max).transform(cleanText);

/** Free text that must still say something once cleaned. */
export const nonEmptyText = (max = 10_000) =>
  cleanString(max).refine((text) => text.trim().length > 0, { message: 'must not be empty' });

/** A single-line value used as a key (an email, an audit subject): refused if it has controls. */
export const safeLine = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine(isSafeLine, { message: 'must not contain control characters or broken Unicode' })
    .transform((value) => value.normalize('NFC'));

/** An integer JavaScript and PostgreSQL both hold exactly. */
export const safeInt = () => z.int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

/** `value` parsed by `schema`, or a 400 naming the first field that does not fit. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  throw errors.badRequest(`${where}: ${issue?.message ?? 'invalid'}`);
}
