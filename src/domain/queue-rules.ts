// The hospital's queue rules as settings give them: the check-in window, the positions at which
// a waiting patient is told, each department's ticket prefix and whether it takes walk-ins, and
// the monthly push budgets per channel. Parsers return undefined for a malformed value (the
// settings name the variable); the helpers below are pure.
import { DEPARTMENTS, type Department } from './triage.ts';

export interface CheckInWindow {
  /** Minutes before the appointment's start from which check-in opens. */
  beforeMinutes: number;
  /** Minutes after the start until which check-in is still taken. */
  afterMinutes: number;
}

export interface DepartmentQueueRule {
  /** One or two capital letters before the number: "B" in "B-023". */
  prefix: string;
  walkIn: boolean;
}

export type DepartmentQueueRules = Record<Department, DepartmentQueueRule>;

/** Defaults for the demo hospital's departments: general medicine and emergency take walk-ins. */
export const DEFAULT_DEPARTMENT_RULES: DepartmentQueueRules = {
  emergency: { prefix: 'E', walkIn: true },
  general_medicine: { prefix: 'A', walkIn: true },
  cardiology: { prefix: 'B', walkIn: false },
  pulmonology: { prefix: 'C', walkIn: false },
  gastroenterology: { prefix: 'G', walkIn: false },
  neurology: { prefix: 'N', walkIn: false },
  orthopaedics: { prefix: 'O', walkIn: false },
  dermatology: { prefix: 'D', walkIn: false },
  urology: { prefix: 'U', walkIn: false },
  obstetrics: { prefix: 'M', walkIn: false },
};

const isDepartment = (value: string): value is Department =>
  (DEPARTMENTS as readonly string[]).includes(value);

/** "60,15": 60 minutes before to 15 after the start. A single number means as many on each side. */
export function parseCheckInWindow(raw: string): CheckInWindow | undefined {
  const match = /^\s*(\d{1,4})\s*(?:,\s*(\d{1,4})\s*)?$/.exec(raw);
  if (!match) return undefined;
  const before = Number(match[1]);
  const after = match[2] === undefined ? before : Number(match[2]);
  return { beforeMinutes: before, afterMinutes: after };
}

/** "5,2": positions (tickets ahead) at which the patient is told, largest first, no repeats. */
export function parseNotifyAhead(raw: string): number[] | undefined {
  const parts = raw.split(',').map((part) => part.trim());
  if (parts.some((part) => !/^\d{1,3}$/.test(part))) return undefined;
  const positions = [...new Set(parts.map(Number))].sort((a, b) => b - a);
  return positions.length > 0 && positions.every((n) => n >= 1) ? positions : undefined;
}

/**
 * "cardiology=B,general_medicine=A+walk-in": each named department's prefix, `+walk-in` when it
 * takes walk-ins; departments not named keep their defaults. Two departments may not share a
 * prefix (the display and the patient tell tickets apart by it).
 */
export function parseDepartmentRules(
  raw: string,
  defaults: DepartmentQueueRules = DEFAULT_DEPARTMENT_RULES,
): DepartmentQueueRules | undefined {
  const rules: DepartmentQueueRules = { ...defaults };
  for (const entry of raw.split(',')) {
    const match = /^\s*([a-z_]+)\s*=\s*([A-Z]{1,2})(\+walk-in)?\s*$/.exec(entry);
    if (!match || !isDepartment(match[1]!)) return undefined;
    rules[match[1]] = { prefix: match[2]!, walkIn: Boolean(match[3]) };
  }
  const prefixes = Object.values(rules).map((rule) => rule.prefix);
  return new Set(prefixes).size === prefixes.length ? rules : undefined;
}

/** "line=500,telegram=100000": pushes a month per channel; channels not named have no budget. */
export function parsePushBudgets(raw: string): Record<string, number> | undefined {
  const budgets: Record<string, number> = {};
  for (const entry of raw.split(',')) {
    const match = /^\s*([a-z]+)\s*=\s*(\d{1,9})\s*$/.exec(entry);
    if (!match) return undefined;
    budgets[match[1]!] = Number(match[2]);
  }
  return budgets;
}

/** "B-023": the prefix and the number, three digits at least. */
export const ticketLabel = (prefix: string, number: number): string =>
  `${prefix}-${String(number).padStart(3, '0')}`;

export type CheckInTiming =
  | { open: true }
  | { open: false; reason: 'too_early'; opensAt: number }
  | { open: false; reason: 'too_late'; closedAt: number };

/** Whether an appointment starting at `start` may be checked in for at `now` (epoch ms). */
export function checkInTiming(start: number, now: number, window: CheckInWindow): CheckInTiming {
  const opensAt = start - window.beforeMinutes * 60_000;
  const closedAt = start + window.afterMinutes * 60_000;
  if (now < opensAt) return { open: false, reason: 'too_early', opensAt };
  if (now > closedAt) return { open: false, reason: 'too_late', closedAt };
  return { open: true };
}

/** The calendar month ("2026-12") a push is counted in, in the hospital's zone. */
export const pushMonth = (day: string): string => day.slice(0, 7);
