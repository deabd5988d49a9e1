// Payments (desk and admins): fees by appointment, refunds and hospital cancellations, each
// asking for a reason that goes to the audit log.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PaymentView } from '../../../../src/features/payments/console.ts';
import { DataTable, Notice } from '../../lib/components.tsx';
import { useSession } from '../context.ts';
import { Page } from './shared.tsx';

type Kind = 'refund' | 'cancel';

export function Payments(props: { onError: (error: unknown) => void }) {
  const { api, t, labels } = useSession();
  const [list, setList] = useState<PaymentView[] | undefined>();
  const [flash, setFlash] = useState<string | undefined>();
  const [asking, setAsking] = useState<{ payment: PaymentView; kind: Kind } | undefined>();
  const load = (message?: string) =>
    api.get<{ payments: PaymentView[] }>('/console/api/payments').then((data) => {
      setList(data.payments);
      setFlash(message);
      setAsking(undefined);
    }, props.onError);
  useEffect(() => void load(), []);
  if (!list) return null;
  return (
    <Page active="payments">
      <h1>{t('payments.title')}</h1>
      <p class="muted">{t('payments.intro')}</p>
      <Notice notice={flash ? { text: flash } : undefined} />
      {asking && (
        <Ask
          key={`${asking.payment.id}:${asking.kind}`}
          {...asking}
          onBack={() => setAsking(undefined)}
          onDone={(message) => void load(message)}
        />
      )}
      <DataTable
        label={t('payments.tableLabel')}
        head={[
          { text: t('payments.receipt') },
          { text: t('payments.patient') },
          { text: t('payments.appointment') },
          { text: t('payments.department'), narrow: true },
          { text: t('payments.amount') },
          { text: t('payments.refunded') },
          { text: t('payments.status') },
          { text: '' },
        ]}
        empty={t('payments.empty')}
      >
        {list.map((payment) => (
          <tr key={payment.id} data-id={payment.id}>
            <td>{payment.receipt}</td>
            <td>{payment.patientName}</td>
            <td>{payment.appointmentStart ?? '–'}</td>
            <td class="hide-narrow">{labels.department[payment.department] ?? payment.department}</td>
            <td>{payment.amount}</td>
            <td>{payment.refunded}</td>
            <td>{t(`payments.statuses.${payment.status}`)}</td>
            <td class="actions">
              {payment.cancellable && (
                <button
                  class="secondary"
                  type="button"
                  onClick={() => setAsking({ payment, kind: 'cancel' })}
                >
                  {t('payments.cancel')}
                </button>
              )}
              {payment.refundable && (
                <button class="danger" type="button" onClick={() => setAsking({ payment, kind: 'refund' })}>
                  {t('payments.refund')}
                </button>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </Page>
  );
}

function Ask(props: {
  payment: PaymentView;
  kind: Kind;
  onBack: () => void;
  onDone: (message: string) => void;
}) {
  const { api, t } = useSession();
  const { payment: p, kind } = props;
  const reason = useRef<HTMLTextAreaElement>(null);
  const [error, setError] = useState('');
  useEffect(() => reason.current?.focus(), []);
  const names = { receipt: p.receipt, patient: p.patientName, amount: p.amount, refunded: p.refunded };
  const text =
    kind === 'refund'
      ? {
          title: t('payments.refundTitle', names),
          body: t('payments.refundText', names),
          button: t('payments.refundButton'),
        }
      : {
          title: t('payments.cancelTitle', names),
          body: t('payments.cancelText', { ...names, when: p.appointmentStart ?? '' }),
          button: t('payments.cancelButton'),
        };
  const submit = async () => {
    const given = (reason.current?.value ?? '').trim();
    // Said here in the reader's language, not as the API's schema message.
    if (given.length < 3) {
      setError(t('payments.reasonRequired'));
      reason.current?.focus();
      return;
    }
    try {
      const result = await api.post<{ payment: PaymentView | null }>(
        `/console/api/payments/${p.id}/${kind === 'refund' ? 'refund' : 'cancel-appointment'}`,
        { reason: given },
      );
      props.onDone(
        kind === 'refund'
          ? t('payments.refundDone', { receipt: p.receipt, refunded: result.payment?.refunded ?? '' })
          : t('payments.cancelDone', { receipt: p.receipt }),
      );
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };
  return (
    <section class="card spaced-below" aria-labelledby="h-action">
      <h2 id="h-action">{text.title}</h2>
      <p class="muted">{text.body}</p>
      <label for="action-reason">{t('payments.reason')}</label>
      <textarea
        id="action-reason"
        ref={reason}
        required
        minLength={3}
        maxLength={500}
        placeholder={t('payments.reasonPlaceholder')}
      />
      <div class="row">
        <button class="danger" type="button" onClick={() => void submit()}>
          {text.button}
        </button>
        <button class="secondary" type="button" onClick={props.onBack}>
          {t('payments.back')}
        </button>
      </div>
      <p class="error" role="alert">
        {error}
      </p>
    </section>
  );
}
