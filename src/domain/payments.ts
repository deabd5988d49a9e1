// Consultation fees and refunds as rules: what a department costs in the hospital's currency,
// how that amount is written for Stripe (minor units; zero-decimal currencies such as VND and
// JPY have none), and how much of it a cancellation gives back.
import type { Department } from './triage.ts';

/**
 * Currencies Stripe charges in whole units (no minor unit): the amount sent is the amount.
 * From Stripe's list of zero-decimal currencies.
 */
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);

/** The hospital's usual currency, when HOSPITAL_CURRENCY is not set. */
export const CURRENCY_OF_COUNTRY: Record<string, string> = {
  VN: 'VND',
  CN: 'CNY',
  TH: 'THB',
  JP: 'JPY',
  FR: 'EUR',
  GB: 'GBP',
  US: 'USD',
};

/** A plausible consultation fee per currency (major units) for the embedded demo. */
export const DEMO_FEE: Record<string, number> = {
  VND: 200_000,
  CNY: 50,
  THB: 500,
  JPY: 3_000,
  EUR: 25,
  GBP: 25,
  USD: 40,
};

export const minorDigits = (currency: string): number => (ZERO_DECIMAL.has(currency.toUpperCase()) ? 0 : 2);

/** An amount in major units (e.g. 25.5 EUR) as Stripe's integer minor units (2550). */
export function toMinorUnits(major: number, currency: string): number {
  return Math.round(major * 10 ** minorDigits(currency));
}

/** An amount for people, e.g. "₫200.000" or "25,50 €", in the patient's language. */
export function formatMoney(amountMinor: number, currency: string, locale: string): string {
  const digits = minorDigits(currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(amountMinor / 10 ** digits);
}

/** Fee per department in minor units; `*` is every department not listed. */
export interface FeeTable {
  currency: string;
  byDepartment: Partial<Record<Department, number>>;
  otherwise: number;
}

/** The fee for a consultation in `department`; 0 means free (no payment step). */
export function feeFor(table: FeeTable, department: string | undefined): number {
  return table.byDepartment[department as Department] ?? table.otherwise;
}

/** Whether any consultation costs something (else there is no payment step at all). */
export function chargesAnything(table: FeeTable): boolean {
  return table.otherwise > 0 || Object.values(table.byDepartment).some((fee) => fee > 0);
}

/**
 * Parses CONSULTATION_FEES, e.g. "cardiology=500000,*=200000", amounts in major units of
 * `currency`. Undefined when malformed.
 */
export function parseFees(
  raw: string,
  currency: string,
  departments: readonly string[],
): FeeTable | undefined {
  const table: FeeTable = { currency, byDepartment: {}, otherwise: 0 };
  // A bare amount is the fee of every department ("0": consultations are free).
  const pairs = /^\s*[\d.]+\s*$/.test(raw) ? [`*=${raw.trim()}`] : raw.split(',');
  for (const pair of pairs) {
    const match = /^\s*([\w*]+)\s*=\s*(\d+(?:\.\d{1,2})?)\s*$/.exec(pair);
    if (!match) return undefined;
    const [, name, amount] = match as unknown as [string, string, string];
    if (
      (amount.includes('.') && minorDigits(currency) === 0) ||
      (name !== '*' && !departments.includes(name))
    )
      return undefined;
    const minor = toMinorUnits(Number(amount), currency);
    if (name === '*') table.otherwise = minor;
    else table.byDepartment[name as Department] = minor;
  }
  return table;
}

/** One row of the refund policy: cancelled at least `hoursBefore` ahead gives `percent` back. */
export interface RefundRule {
  hoursBefore: number;
  percent: number;
}

/** Full refund when cancelled 24 h or more ahead, none after. */
export const DEFAULT_REFUND_POLICY: RefundRule[] = [{ hoursBefore: 24, percent: 100 }];

/** Parses REFUND_POLICY, e.g. "24=100,2=50" (hours ahead = percent back). Undefined when malformed. */
export function parseRefundPolicy(raw: string): RefundRule[] | undefined {
  const rules: RefundRule[] = [];
  for (const pair of raw.split(',')) {
    const match = /^\s*(\d{1,4})\s*=\s*(\d{1,3})\s*$/.exec(pair);
    if (!match || Number(match[2]) > 100) return undefined;
    rules.push({ hoursBefore: Number(match[1]), percent: Number(match[2]) });
  }
  return rules.sort((a, b) => b.hoursBefore - a.hoursBefore);
}

/** Who cancelled: the hospital always refunds in full; a patient per the policy. */
export type Canceller = 'patient' | 'hospital';

export interface RefundDecision {
  amountMinor: number;
  percent: number;
  /** The policy row that applied (hours ahead), for telling the patient why. */
  hoursBefore?: number;
}

/** How much of `paidMinor` (less what was refunded already) a cancellation at `now` gives back. */
export function refundFor(
  policy: RefundRule[],
  payment: { paidMinor: number; refundedMinor: number; appointmentStart: Date },
  now: Date,
  by: Canceller,
): RefundDecision {
  const refundable = Math.max(0, payment.paidMinor - payment.refundedMinor);
  if (by === 'hospital') return { amountMinor: refundable, percent: 100 };
  const hoursAhead = (payment.appointmentStart.getTime() - now.getTime()) / 3_600_000;
  const rule = policy.find((row) => hoursAhead >= row.hoursBefore);
  const percent = rule?.percent ?? 0;
  const amount = Math.min(refundable, Math.floor((payment.paidMinor * percent) / 100));
  return { amountMinor: amount, percent, hoursBefore: rule?.hoursBefore ?? policy.at(-1)?.hoursBefore };
}

/**
 * open (unpaid, slot held) · paid (appointment booked) · expired (slot released) · cancelled
 * (appointment cancelled, refunded per policy) · void (paid after the slot was lost: refunded in full)
 */
export type PaymentStatus = 'open' | 'paid' | 'expired' | 'cancelled' | 'void';

/** One consultation's payment, as staff see it. */
export interface PaymentRecord {
  id: string;
  patientId: string;
  status: PaymentStatus;
  department: string;
  amountMinor: number;
  currency: string;
  /** What we asked the provider to refund so far. */
  refundedMinor: number;
  slotId: string;
  appointmentId: string | null;
  appointmentStart: Date | null;
  expiresAt: Date;
  paidAt: Date | null;
  createdAt: Date;
}

/** A payment as the console lists it: with who paid. */
export type PaymentWithPatient = PaymentRecord & { patient: { fullName: string | null } };

/** The number a patient quotes about a payment: short, and meaningless outside Frontdoor. */
export function receiptNumber(paymentId: string): string {
  return `FD-${paymentId.replaceAll('-', '').slice(0, 10).toUpperCase()}`;
}
