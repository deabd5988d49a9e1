// Reception's kiosk: a handheld scanner types the patient's check-in link (the QR code's URL)
// into the field and presses Enter; the ticket it issued is shown large, and the field is ready
// for the next patient.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CheckInResult, TicketView } from '../../../../src/domain/queue.ts';
import { ApiError } from '../../lib/api.ts';
import type { Translate } from '../../lib/i18n.ts';
import { useSession } from '../context.ts';
import { Page } from './shared.tsx';

export function Kiosk() {
  const { api, t, labels, locale } = useSession();
  const field = useRef<HTMLInputElement>(null);
  const [result, setResult] = useState<
    (CheckInResult & { timeZone?: string }) | { error: string } | undefined
  >();
  useEffect(() => field.current?.focus(), []);
  const submit = async () => {
    const link = field.current?.value.trim() ?? '';
    if (!link) return;
    try {
      setResult(
        await api.post<CheckInResult & { timeZone: string }>('/console/api/queues/check-in', { link }),
      );
    } catch (error) {
      // Said in the reader's language: a code that is no check-in link, or nobody known for it.
      const status = error instanceof ApiError ? error.status : 0;
      setResult({
        error:
          status === 400
            ? t('kiosk.invalid')
            : status === 404
              ? t('kiosk.unknown')
              : error instanceof Error
                ? error.message
                : String(error),
      });
    }
    if (field.current) field.current.value = '';
    field.current?.focus();
  };
  const time = (at: number) =>
    new Date(at).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  const refusal = (refused: Extract<CheckInResult, { refused: unknown }>['refused']) => {
    switch (refused.reason) {
      case 'too_early':
        return t('kiosk.tooEarly', { time: time(refused.opensAt) });
      case 'too_late':
        return t('kiosk.tooLate', { time: time(refused.closedAt) });
      default:
        return t(`kiosk.refused.${refused.reason}`);
    }
  };
  return (
    <Page active="kiosk">
      <h1>{t('kiosk.title')}</h1>
      <p class="muted">{t('kiosk.intro')}</p>
      <form
        class="card kiosk"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label for="kiosk-link">{t('kiosk.field')}</label>
        <input id="kiosk-link" ref={field} autocomplete="off" maxLength={600} />
        <button type="submit" class="primary">
          {t('kiosk.checkIn')}
        </button>
      </form>
      <div role="status" aria-live="polite">
        {result && 'ticket' in result && (
          <div class="card kiosk-ticket" data-label={result.ticket.label}>
            <p class="kiosk-label">{result.ticket.label}</p>
            <p>{labels.department[result.ticket.department] ?? result.ticket.department}</p>
            {result.ticket.status === 'waiting' ? (
              <p class="muted">{t('kiosk.ahead', { n: result.ticket.ahead ?? 0 })}</p>
            ) : (
              // Checking in again returns the appointment's ticket, whatever became of it.
              <p class="kiosk-state" data-status={result.ticket.status}>
                {ticketState(t, result.ticket)}
              </p>
            )}
          </div>
        )}
        {result && 'refused' in result && (
          <p class="error" role="alert">
            {refusal(result.refused)}
          </p>
        )}
        {result && 'error' in result && (
          <p class="error" role="alert">
            {result.error}
          </p>
        )}
      </div>
    </Page>
  );
}

/** What became of a ticket that is no longer waiting, said plainly. */
function ticketState(t: Translate, ticket: TicketView): string {
  switch (ticket.status) {
    case 'called':
      return ticket.room ? t('kiosk.state.called', { room: ticket.room }) : t('kiosk.state.calledNoRoom');
    case 'done':
    case 'no_show':
    case 'left':
      return t(`kiosk.state.${ticket.status}`);
    case 'waiting':
      return '';
  }
}
