// Signed, expiring links for the queue: the check-in QR of a booked appointment
// (`${PUBLIC_BASE_URL}/checkin/<token>`) and a patient's live ticket page
// (`${PUBLIC_BASE_URL}/ticket/<token>`). A token names what it opens and until when, signed with
// HMAC-SHA256 under a key derived from FIELD_ENCRYPTION_KEY (the same on every instance), so
// nobody can guess or forge one and it stops working at the end of the appointment's day.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { addDays, zonedDate, zonedInstant } from '../domain/time-zone.ts';

export type LinkPurpose = 'checkin' | 'ticket';

interface Payload {
  /** What it opens: c(heck-in) for an appointment, t(icket) for a queue ticket. */
  p: 'c' | 't';
  id: string;
  /** Expiry, epoch seconds. */
  e: number;
}

const CODE: Record<LinkPurpose, Payload['p']> = { checkin: 'c', ticket: 't' };

export class CheckInTokens {
  constructor(
    private readonly key: Buffer,
    private readonly publicBaseUrl: string,
    private readonly timeZone: string,
    private readonly clock: Clock,
  ) {}

  /** The end of the hospital-zone day of `at`: when that day's links stop working. */
  endOfDay(at: number): number {
    const day = zonedDate(new Date(at), this.timeZone);
    return zonedInstant(addDays(day, 1), 0, this.timeZone).getTime();
  }

  /** A token opening `purpose` for `id` until `expiresAt` (epoch ms; default: the end of today). */
  make(purpose: LinkPurpose, id: string, expiresAt = this.endOfDay(this.clock.now())): string {
    const payload: Payload = { p: CODE[purpose], id, e: Math.ceil(expiresAt / 1000) };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The id a token opens for `purpose`, or undefined when forged, for something else, or expired. */
  verify(purpose: LinkPurpose, token: string): string | undefined {
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined || body.length > 400) return undefined;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let payload: Partial<Payload>;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Payload>;
    } catch {
      return undefined;
    }
    if (payload.p !== CODE[purpose] || typeof payload.id !== 'string' || typeof payload.e !== 'number')
      return undefined;
    return this.clock.now() < payload.e * 1000 ? payload.id : undefined;
  }

  /** The check-in link of an appointment starting at `start`, valid until the end of its day. */
  checkInUrl(appointmentId: string, start: number): string {
    return `${this.publicBaseUrl}/checkin/${this.make('checkin', appointmentId, this.endOfDay(start))}`;
  }

  /** The live ticket page of a ticket issued today, valid until the end of today. */
  ticketUrl(ticketId: string): string {
    return `${this.publicBaseUrl}/ticket/${this.make('ticket', ticketId)}`;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
