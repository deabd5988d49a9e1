// The order in which a department's waiting tickets are called, their waiting time, and which
// patients to tell as the line moves. Pure: the desk (src/storage/prisma-queue.ts) loads the
// waiting tickets and hands them here.
//
// The rule, as the hospital reads it:
// 1. Appointment tickets and walk-in tickets form two lines. Each line stands by `sortAt`: an
//    appointment's start time, a walk-in's arrival, and for a re-queued or transferred ticket
//    the moment it went (back) in line, behind everyone already in it.
// 2. Within a line, the first ticket is called unless a more urgent one (lower triage acuity;
//    none counts as standard, 4) stands within the grace window behind it (its sortAt at most
//    QUEUE_GRACE_MINUTES later): then the most urgent of those goes first.
// 3. Walk-ins interleave: while appointment tickets are due (their sortAt within the grace
//    window of now), one walk-in is called after every QUEUE_WALK_IN_EVERY appointment tickets;
//    when no appointment is due, walk-ins are called.
import type { TicketKind } from './queue.ts';

export interface QueuedEntry {
  id: string;
  kind: TicketKind;
  /** Where it stands in its line (epoch ms). */
  sortAt: number;
  acuity?: number;
  /** The ticket's number: of two standing at the same moment, the one issued first. */
  number?: number;
}

export interface OrderRules {
  now: number;
  graceMs: number;
  /** One walk-in after this many appointment tickets while both wait. */
  walkInEvery: number;
  /** Appointment tickets called since the last walk-in (from the department's recent calls). */
  appointmentsSinceWalkIn: number;
}

/** The acuity of a ticket triage has not seen: standard. */
export const UNTRIAGED_ACUITY = 4;

const acuityOf = (entry: QueuedEntry) => entry.acuity ?? UNTRIAGED_ACUITY;

/** The index of the ticket to call next in one line, sorted by sortAt. */
function nextInLine(line: QueuedEntry[], graceMs: number): number {
  const limit = line[0]!.sortAt + graceMs;
  let best = 0;
  for (let i = 1; i < line.length && line[i]!.sortAt <= limit; i++)
    if (acuityOf(line[i]!) < acuityOf(line[best]!)) best = i;
  return best;
}

const bySortAt = (a: QueuedEntry, b: QueuedEntry) =>
  a.sortAt - b.sortAt || (a.number ?? 0) - (b.number ?? 0) || a.id.localeCompare(b.id);

/** Every waiting ticket in the order it will be called, if nothing changes. */
export function callingOrder<T extends QueuedEntry>(waiting: readonly T[], rules: OrderRules): T[] {
  const appointments = waiting.filter((entry) => entry.kind === 'appointment').sort(bySortAt);
  const walkIns = waiting.filter((entry) => entry.kind !== 'appointment').sort(bySortAt);
  const order: T[] = [];
  let since = rules.appointmentsSinceWalkIn;
  while (appointments.length > 0 || walkIns.length > 0) {
    const appointmentDue = appointments.length > 0 && appointments[0]!.sortAt <= rules.now + rules.graceMs;
    const walkInTurn = walkIns.length > 0 && (!appointmentDue || since >= rules.walkInEvery);
    const line = walkInTurn || appointments.length === 0 ? walkIns : appointments;
    order.push(line.splice(nextInLine(line, rules.graceMs), 1)[0]!);
    since = line === walkIns ? 0 : since + 1;
  }
  return order;
}

/** How many appointment tickets were called since the last walk-in (`kinds`: newest call first). */
export function appointmentsSinceWalkIn(kinds: readonly TicketKind[]): number {
  const last = kinds.indexOf('walk_in');
  return last === -1 ? kinds.length : last;
}

/** Service times counted in the average: the department's most recent ones. */
export const SERVICE_TIME_WINDOW = 20;

/**
 * The department's average service time (called → done) in minutes, over its most recent
 * services. Until three are known the default (QUEUE_SERVICE_MINUTES) fills the missing ones,
 * so one quick first patient does not promise everyone a two-minute wait.
 */
export function averageServiceMinutes(durationsMs: readonly number[], defaultMinutes: number): number {
  const recent = durationsMs.slice(0, SERVICE_TIME_WINDOW).map((ms) => Math.max(0, ms) / 60_000);
  const known = recent.length;
  const filled = Math.max(0, 3 - known);
  const total = recent.reduce((sum, minutes) => sum + minutes, 0) + filled * defaultMinutes;
  return Math.round((total / (known + filled)) * 10) / 10;
}

/** Rooms serving the department: those that called a ticket in the last hour (at least one). */
export function activeRooms(calls: readonly { room: string; calledAt: number }[], now: number): number {
  const recent = calls.filter((call) => now - call.calledAt <= 60 * 60_000).map((call) => call.room);
  return Math.max(1, new Set(recent).size);
}

/** Minutes until a ticket with `ahead` tickets before it is called. */
export const etaMinutes = (ahead: number, averageMinutes: number, rooms: number): number =>
  Math.round((ahead * averageMinutes) / Math.max(1, rooms));

/**
 * The QUEUE_NOTIFY_AHEAD position a ticket reached by moving from `before` to `after` tickets
 * ahead: the nearest one crossed (from 6 to 1 with 5 and 2: 2). None when it did not move
 * forward, or was not in line before (a new ticket is shown its position anyway).
 */
export function crossedThreshold(
  before: number | undefined,
  after: number,
  thresholds: readonly number[],
): number | undefined {
  if (before === undefined || after >= before) return undefined;
  let crossed: number | undefined;
  for (const threshold of thresholds)
    if (after <= threshold && threshold < before && (crossed === undefined || threshold < crossed))
      crossed = threshold;
  return crossed;
}
