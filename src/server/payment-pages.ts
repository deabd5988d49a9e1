// The pages a patient's browser lands on around paying: back from Stripe Checkout (paid or
// cancelled) and, in the embedded default only, the local test-payment page that stands in for
// Stripe. Texts come from locales/<lang>/payment.json; the chat carries the real confirmation.
import type { FastifyInstance } from 'fastify';
import type { i18n } from 'i18next';
import { formatMoney } from '../domain/payments.ts';
import { DEFAULT_LOCALE, resolveLocale, type Locale } from '../i18n/locales.ts';
import type { TestGateway } from '../integrations/stripe/test-gateway.ts';
import { errors } from './errors.ts';
import { escapeHtml, htmlPage } from './html.ts';

function page(locale: Locale, title: string, body: string): string {
  return htmlPage({
    lang: locale,
    title,
    entry: 'pages',
    body: `<div class="simple-page narrow"><h1>${escapeHtml(title)}</h1>${body}</div>`,
    noindex: true,
  });
}

const localeOf = (query: unknown): Locale =>
  resolveLocale((query as { lang?: string } | undefined)?.lang) ?? DEFAULT_LOCALE;

export function registerPaymentPages(
  app: FastifyInstance,
  options: { translator: i18n; testGateway?: TestGateway; production: boolean },
): void {
  const text = (locale: Locale) => options.translator.getFixedT(locale, 'payment');
  const simple =
    (title: string, body: string) =>
    (request: { query: unknown }, reply: { type(t: string): { send(b: string): unknown } }) => {
      const locale = localeOf(request.query);
      const t = text(locale);
      return reply
        .type('text/html; charset=utf-8')
        .send(page(locale, t(title), `<p>${escapeHtml(t(body))}</p>`));
    };
  app.get('/pay/done', simple('page.doneTitle', 'page.doneText'));
  app.get('/pay/cancelled', simple('page.cancelledTitle', 'page.cancelledText'));

  const gateway = options.testGateway;
  if (!gateway) return;
  // The stand-in for Stripe Checkout must never take the place of real payments.
  const refuseInProduction = () => {
    if (options.production) throw errors.forbidden('test payments are refused when NODE_ENV=production');
  };

  app.get<{ Params: { id: string } }>('/pay/test/:id', async (request, reply) => {
    refuseInProduction();
    const session = await gateway.session(request.params.id);
    if (!session) throw errors.notFound('no such test payment');
    const locale = resolveLocale(session.locale) ?? DEFAULT_LOCALE;
    const t = text(locale);
    const banner = `<p class="test" role="alert">${escapeHtml(t('page.testBanner'))}</p>`;
    const amount = formatMoney(session.amountMinor, session.currency, locale);
    const body =
      session.status === 'open'
        ? `<p class="amount">${escapeHtml(t('page.testAmount', { amount }))}</p>
<form method="post" action="/pay/test/${encodeURIComponent(session.id)}/pay"><button type="submit">${escapeHtml(t('page.testPay'))}</button>
<a class="button" href="${escapeHtml(session.cancelUrl)}">${escapeHtml(t('page.testCancel'))}</a></form>`
        : `<p>${escapeHtml(t('page.testClosed'))}</p>`;
    return reply.type('text/html; charset=utf-8').send(page(locale, t('page.testTitle'), banner + body));
  });

  void app.register(async (scope) => {
    // The page's form posts an empty urlencoded body; nothing in it is read.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) =>
      done(null, body),
    );
    scope.post<{ Params: { id: string } }>('/pay/test/:id/pay', async (request, reply) => {
      refuseInProduction();
      const session = await gateway.session(request.params.id);
      if (!session) throw errors.notFound('no such test payment');
      if (!(await gateway.pay(session.id))) throw errors.conflict('this test payment is no longer open');
      return reply.redirect(session.successUrl, 303);
    });
  });
}
