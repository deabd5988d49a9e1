// JSON Schemas of the hospital API's broadcasts (src/server/api/broadcasts.ts): what a request may
// be (strict: unknown fields, kinds, departments and languages are 400s) and what the answers
// are. Fastify validates and serialises with them, and the OpenAPI document is made from them.
import { MAX_BROADCAST_TEXT } from '../../domain/broadcasts.ts';
import { SUPPORTED_LOCALES } from '../../i18n/locales.ts';
import { departmentSchema } from './schemas.ts';

const kind = (name: string, description: string) => ({ type: 'string', const: name, description });

const KINDS = ['appointments', 'queue', 'subscribers'] as const;

// `kind` picks the one schema the audience is checked against (Ajv's `discriminator`, on in
// src/server/app.ts; OpenAPI's too), so a refusal names what is wrong for that kind, not every
// other kind's fields. The object, `kind` and its values are checked first, for the same reason.
const audienceSchema = {
  description: 'Who the notice goes to.',
  type: 'object',
  required: ['kind'],
  properties: { kind: { type: 'string', enum: KINDS } },
  discriminator: { propertyName: 'kind' },
  oneOf: [
    {
      title: 'Appointments',
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'date'],
      properties: {
        kind: kind(
          'appointments',
          'Everyone with a booked, awaiting-approval or checked-in appointment on `date`.',
        ),
        date: {
          type: 'string',
          pattern: '^\\d{4}-\\d{2}-\\d{2}$',
          format: 'date',
          description: "A day in the hospital's time zone (YYYY-MM-DD).",
          examples: ['2026-12-07'],
        },
        department: departmentSchema,
        doctor: {
          type: 'string',
          pattern: '^[A-Za-z0-9.-]{1,64}$',
          description: "The doctor's id (the hospital's Practitioner id).",
        },
      },
    },
    {
      title: 'Queue',
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'department'],
      properties: {
        kind: kind('queue', "Everyone waiting or called in the department's queue today."),
        department: departmentSchema,
      },
    },
    {
      title: 'Subscribers',
      type: 'object',
      additionalProperties: false,
      required: ['kind'],
      properties: {
        kind: kind('subscribers', 'Everyone who said yes to hospital notices and has not said stop.'),
      },
    },
  ],
} as const;

const textSchema = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_BROADCAST_TEXT,
  // Not blank: a notice of spaces tells nobody anything.
  pattern: '\\S',
} as const;

export const sendBody = {
  type: 'object',
  additionalProperties: false,
  required: ['audience', 'text', 'idempotencyKey'],
  examples: [
    {
      audience: { kind: 'appointments', date: '2026-12-07', department: 'cardiology' },
      text: {
        en: 'Dr Minh is running 30 minutes late today.',
        vi: 'Hôm nay bác sĩ Minh đến muộn 30 phút.',
      },
      idempotencyKey: '3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b',
    },
  ],
  properties: {
    audience: audienceSchema,
    text: {
      description:
        "The notice in each language it was written in. Each patient gets their own language, else the hospital's, else English, else the first given.",
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: Object.fromEntries(SUPPORTED_LOCALES.map((locale) => [locale, textSchema])),
      examples: [
        { en: 'Cardiology closes at 15:00 today.', vi: 'Khoa Tim mạch đóng cửa lúc 15:00 hôm nay.' },
      ],
    },
    idempotencyKey: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7e]+$',
      description:
        'Chosen by the caller (a UUID, say), printable ASCII without spaces. The same key again answers the broadcast it made and makes no second one.',
    },
  },
} as const;

export const accepted = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'recipients'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    recipients: { type: 'integer', minimum: 0, description: 'Patients the notice goes to.' },
  },
} as const;

const countProperties = {
  total: { type: 'integer', minimum: 0 },
  sent: { type: 'integer', minimum: 0 },
  failed: { type: 'integer', minimum: 0 },
  blocked: { type: 'integer', minimum: 0, description: 'The patient blocked the bot.' },
  pending: { type: 'integer', minimum: 0, description: 'Not sent yet.' },
  cancelled: { type: 'integer', minimum: 0 },
} as const;
const countsSchema = {
  type: 'object',
  additionalProperties: false,
  required: Object.keys(countProperties),
  properties: countProperties,
} as const;

export const reportSchema = {
  description: 'How far the delivery got.',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'status', ...Object.keys(countProperties), 'channels', 'createdAt', 'finishedAt'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['sending', 'done', 'cancelled'] },
    ...countProperties,
    channels: {
      description: 'The counts per channel (telegram, line, web …).',
      type: 'object',
      additionalProperties: countsSchema,
    },
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time', description: 'null while sending.' },
  },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid', description: "The broadcast's id." } },
} as const;
