// The embedded default's payment provider: no Stripe account, no money. Sessions live in the
// key-value store and are paid on a clearly labelled local page (/pay/test/:id); paying,
// expiring and refunding report the same PaymentNotice Stripe's webhooks would.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';
import type { CheckoutRequest, CheckoutSession, PaymentGateway, PaymentNotice } from './checkout-gateway.ts';

interface StoredSession extends CheckoutSession {
  amountMinor: number;
  currency: string;
  expiresAt: number;
  locale: string;
  successUrl: string;
  cancelUrl: string;
  refundedMinor: number;
}

const key = (id: string) => `testpay:{${id}}`;
const KEEP_MS = 7 * 24 * 3_600_000;

export class TestGateway implements PaymentGateway {
  readonly kind = 'test';
  constructor(
    private readonly kv: KeyValueStore,
    private readonly clock: Clock,
    private readonly publicBaseUrl: string,
    /** Where paying, expiring and refunding are reported (the same path as Stripe's webhook). */
    private readonly notify: (notice: PaymentNotice) => Promise<void>,
  ) {}

  async createCheckout(request: CheckoutRequest): Promise<CheckoutSession> {
    const id = `cs_test_local_${request.paymentId.replaceAll('-', '')}`;
    const existing = await this.read(id);
    if (existing) return existing;
    const session: StoredSession = {
      id,
      url: `${this.publicBaseUrl}/pay/test/${id}`,
      status: 'open',
      paid: false,
      paymentIntentId: undefined,
      paymentId: request.paymentId,
      amountMinor: request.amountMinor,
      currency: request.currency,
      expiresAt: request.expiresAt.getTime(),
      locale: request.locale,
      successUrl: request.successUrl,
      cancelUrl: request.cancelUrl,
      refundedMinor: 0,
    };
    await this.write(session);
    return session;
  }

  async retrieveCheckout(sessionId: string): Promise<CheckoutSession> {
    const session = await this.read(sessionId);
    if (!session) throw new Error(`no test checkout session ${sessionId}`);
    return session;
  }

  /** The session as the test page shows it, or undefined. */
  async session(sessionId: string): Promise<StoredSession | undefined> {
    return this.read(sessionId);
  }

  async expireCheckout(sessionId: string): Promise<CheckoutSession> {
    const session = await this.retrieveCheckout(sessionId);
    if (session.status !== 'open') return session;
    await this.write({ ...(session as StoredSession), status: 'expired' });
    await this.notify({ kind: 'checkout', eventId: `local:${sessionId}:expired`, sessionId });
    return { ...session, status: 'expired' };
  }

  /** The patient pressed "Pay" on the test page. False when the session is no longer open. */
  async pay(sessionId: string): Promise<boolean> {
    const session = await this.read(sessionId);
    if (!session || session.status !== 'open' || this.clock.now() >= session.expiresAt) return false;
    await this.write({
      ...session,
      status: 'complete',
      paid: true,
      paymentIntentId: `pi_test_local_${randomUUID().replaceAll('-', '')}`,
    });
    await this.notify({ kind: 'checkout', eventId: `local:${sessionId}:completed`, sessionId });
    return true;
  }

  async refund(paymentIntentId: string, amountMinor: number, refundKey: string): Promise<void> {
    // Refunds are keyed by payment intent; the ledger of keys makes a retried call refund once.
    const ledger = `testpay:{${paymentIntentId}}:refunds`;
    if (!(await this.kv.setIfAbsent(`${ledger}:${refundKey}`, String(amountMinor), { ttlMs: KEEP_MS })))
      return;
    const total = await this.kv.increment(`${ledger}:total`, amountMinor, { ttlMs: KEEP_MS });
    await this.notify({
      kind: 'refunded',
      eventId: `local:refund:${paymentIntentId}:${refundKey}`,
      paymentIntentId,
      paymentId: undefined,
      amountRefunded: total,
    });
  }

  private async read(id: string): Promise<StoredSession | undefined> {
    const raw = await this.kv.get(key(id));
    return raw ? (JSON.parse(raw) as StoredSession) : undefined;
  }

  private write(session: StoredSession): Promise<void> {
    return this.kv.set(key(session.id), JSON.stringify(session), { ttlMs: KEEP_MS });
  }
}
