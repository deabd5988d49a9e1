// A local Stripe API for the parts Frontdoor uses: Checkout sessions (create with Stripe's own
// expires_at limits, retrieve, expire), refunds, idempotency keys honoured as Stripe does, and
// signed webhook events built with the SDK's generateTestHeaderString. Records every request.
import Stripe from 'stripe';
import { PlatformFake, type FakeAnswer, type RecordedRequest } from './http-fake.ts';

export const FAKE_STRIPE_KEY = 'sk_test_frontdoorFake123';
export const FAKE_STRIPE_WEBHOOK_SECRET = 'whsec_frontdoorFakeSecret123';

export interface FakeSession {
  id: string;
  object: 'checkout.session';
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  url: string | null;
  expires_at: number;
  amount_total: number;
  currency: string;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  payment_intent: string | null;
  mode: 'payment';
}

interface FakeCharge {
  id: string;
  object: 'charge';
  payment_intent: string;
  amount: number;
  amount_refunded: number;
  refunded: boolean;
  currency: string;
  metadata: Record<string, string>;
}

const stripeError = (status: number, message: string): FakeAnswer => ({
  status,
  body: { error: { type: 'invalid_request_error', message } },
});

export class StripeFake extends PlatformFake {
  /** The settings that point an instance at this fake. */
  settings(): Record<string, string> {
    return {
      STRIPE_SECRET_KEY: FAKE_STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: FAKE_STRIPE_WEBHOOK_SECRET,
      STRIPE_API_BASE_URL: this.url,
    };
  }

  readonly sessions = new Map<string, FakeSession>();
  readonly charges = new Map<string, FakeCharge>();
  private readonly idempotent = new Map<string, FakeAnswer>();
  private counter = 0;
  private readonly sdk = new Stripe(FAKE_STRIPE_KEY);

  /** Form bodies as flat maps ("line_items[0][price_data][currency]" → "vnd"). */
  static form(request: RecordedRequest): Record<string, string> {
    return Object.fromEntries(new URLSearchParams(typeof request.body === 'string' ? request.body : ''));
  }

  /** Requests that change something (POST), which must all carry an idempotency key. */
  writes(): RecordedRequest[] {
    return this.http.requests.filter((r) => r.method === 'POST');
  }

  /** The customer paid on Stripe's page: the session is complete, a charge exists. */
  complete(sessionId: string): FakeSession {
    const session = this.sessions.get(sessionId)!;
    const intent = `pi_${this.next()}`;
    Object.assign(session, { status: 'complete', payment_status: 'paid', payment_intent: intent, url: null });
    this.charges.set(intent, {
      id: `ch_${this.next()}`,
      object: 'charge',
      payment_intent: intent,
      amount: session.amount_total,
      amount_refunded: 0,
      refunded: false,
      currency: session.currency,
      metadata: { ...session.metadata },
    });
    return session;
  }

  /** Stripe expired the session on its own (its expires_at passed). */
  expire(sessionId: string): FakeSession {
    const session = this.sessions.get(sessionId)!;
    Object.assign(session, { status: 'expired', url: null });
    return session;
  }

  charge(paymentIntent: string): FakeCharge {
    return this.charges.get(paymentIntent)!;
  }

  /** An event as Stripe would send it. */
  event(type: string, object: object): Stripe.Event {
    return {
      id: `evt_${this.next()}`,
      object: 'event',
      api_version: '2025-01-01',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object: structuredClone(object) },
    } as unknown as Stripe.Event;
  }

  /** Posts `event` to Frontdoor's webhook, signed with `secret` as Stripe signs. */
  async deliver(
    baseUrl: string,
    event: Stripe.Event,
    secret = FAKE_STRIPE_WEBHOOK_SECRET,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const payload = JSON.stringify(event);
    const signature = this.sdk.webhooks.generateTestHeaderString({ payload, secret });
    const response = await fetch(`${baseUrl}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  protected answer(request: RecordedRequest): FakeAnswer {
    if (request.headers.authorization !== `Bearer ${FAKE_STRIPE_KEY}`) {
      return { status: 401, body: { error: { type: 'invalid_request_error', message: 'Invalid API Key' } } };
    }
    const key = request.headers['idempotency-key'];
    const remembered = typeof key === 'string' ? this.idempotent.get(`${request.path}|${key}`) : undefined;
    if (remembered) return remembered;
    const answer = this.route(request);
    if (typeof key === 'string' && answer.status < 500) this.idempotent.set(`${request.path}|${key}`, answer);
    return answer;
  }

  private route(request: RecordedRequest): FakeAnswer {
    const path = request.path.split('?')[0]!;
    const form = StripeFake.form(request);
    if (request.method === 'POST' && path === '/v1/checkout/sessions') return this.createSession(form);
    const session = /^\/v1\/checkout\/sessions\/([\w]+)(\/expire)?$/.exec(path);
    if (session) {
      const found = this.sessions.get(session[1]!);
      if (!found) return stripeError(404, `No such checkout.session: '${session[1]}'`);
      if (session[2] && request.method === 'POST') {
        if (found.status !== 'open')
          return stripeError(400, `Only Checkout Sessions with a status of "open" can be expired.`);
        this.expire(found.id);
      }
      return { status: 200, body: found };
    }
    if (request.method === 'POST' && path === '/v1/refunds') return this.refund(form);
    return stripeError(404, `Unrecognized request URL (${request.method}: ${path}).`);
  }

  private createSession(form: Record<string, string>): FakeAnswer {
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = Number(form.expires_at);
    // Stripe's rule: expires_at must be 30 minutes to 24 hours after creation.
    if (form.expires_at && (expiresAt < now + 30 * 60 || expiresAt > now + 24 * 3600)) {
      return stripeError(400, 'The `expires_at` timestamp must be between 30 minutes and 24 hours from now.');
    }
    const amount = Number(form['line_items[0][price_data][unit_amount]']);
    if (!Number.isInteger(amount) || amount <= 0) return stripeError(400, 'Invalid integer: unit_amount');
    const id = `cs_test_${this.next()}`;
    const metadata = Object.fromEntries(
      Object.entries(form)
        .filter(([name]) => name.startsWith('metadata['))
        .map(([name, value]) => [name.slice(9, -1), value]),
    );
    const session: FakeSession = {
      id,
      object: 'checkout.session',
      status: 'open',
      payment_status: 'unpaid',
      url: `https://checkout.stripe.com/c/pay/${id}`,
      expires_at: expiresAt || now + 24 * 3600,
      amount_total: amount,
      currency: form['line_items[0][price_data][currency]'] ?? 'usd',
      client_reference_id: form.client_reference_id ?? null,
      metadata,
      payment_intent: null,
      mode: 'payment',
    };
    this.sessions.set(id, session);
    return { status: 200, body: session };
  }

  private refund(form: Record<string, string>): FakeAnswer {
    const charge = this.charges.get(form.payment_intent ?? '');
    if (!charge) return stripeError(400, `No such payment_intent: '${form.payment_intent}'`);
    const amount = form.amount ? Number(form.amount) : charge.amount - charge.amount_refunded;
    if (amount > charge.amount - charge.amount_refunded)
      return stripeError(400, `Refund amount (${amount}) is greater than unrefunded amount on charge`);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    return {
      status: 200,
      body: {
        id: `re_${this.next()}`,
        object: 'refund',
        amount,
        charge: charge.id,
        payment_intent: charge.payment_intent,
        status: 'succeeded',
        currency: charge.currency,
      },
    };
  }

  private next(): string {
    this.counter += 1;
    return `fake${String(this.counter).padStart(6, '0')}`;
  }
}
