// The patient's live ticket: position and wait while waiting, "your turn — room 4" when called
// (the phone vibrates where it can), and what happened after. Updated by the page's stream.
import { useEffect, useRef } from 'preact/hooks';
import type { TicketView } from '../../../src/domain/queue.ts';
import type { TicketBoot } from '../../../src/features/queue/patient-pages.ts';
import { translator, type Texts } from '../lib/i18n.ts';
import { useLiveValue } from '../lib/live-source.ts';

export function Ticket(props: { boot: TicketBoot }) {
  const { boot } = props;
  const t = translator(boot.texts as Texts);
  const token = location.pathname.split('/')[2] ?? '';
  const { value: ticket, live } = useLiveValue<TicketView>(
    `/ticket/${encodeURIComponent(token)}/stream`,
    'ticket',
    boot.ticket,
  );
  const called = useRef(ticket.status === 'called');
  useEffect(() => {
    const now = ticket.status === 'called';
    if (now && !called.current) navigator.vibrate?.([300, 150, 300]);
    called.current = now;
  }, [ticket]);

  return (
    <main class={`ticket status-${ticket.status}`} data-status={ticket.status}>
      <p class="hospital">{boot.hospitalName}</p>
      <section class="card" aria-labelledby="ticket-label">
        <p class="caption">{t('title')}</p>
        <h1 id="ticket-label" class="label">
          {ticket.label}
        </h1>
        <p class="department">{boot.departments[ticket.department] ?? ticket.department}</p>
      </section>
      <section class="state" aria-live="polite">
        <State ticket={ticket} t={t} />
      </section>
      <p class={live ? 'live on' : 'live'}>{t(live ? 'live' : 'offline')}</p>
      {/* Only while waiting: once called, missed or done the message above says what is next. */}
      {ticket.status === 'waiting' && <p class="hint">{t('hint')}</p>}
    </main>
  );
}

function State(props: { ticket: TicketView; t: ReturnType<typeof translator> }) {
  const { ticket, t } = props;
  switch (ticket.status) {
    case 'waiting':
      return (
        <>
          <p class="big" data-ahead={ticket.ahead}>
            {ticket.ahead === 0 ? t('next') : t('ahead', { n: ticket.ahead ?? 0 })}
          </p>
          {ticket.ahead !== 0 && ticket.etaMinutes !== undefined && (
            <p class="eta">{t('eta', { minutes: ticket.etaMinutes })}</p>
          )}
        </>
      );
    case 'called':
      return <p class="big turn">{ticket.room ? t('called', { room: ticket.room }) : t('calledNoRoom')}</p>;
    case 'done':
      return <p class="big">{t('done')}</p>;
    case 'no_show':
      return (
        <>
          <p class="big">{t('missed')}</p>
          {ticket.canRequeue && <p>{t('missedRequeue')}</p>}
        </>
      );
    case 'left':
      return <p class="big">{t('left')}</p>;
  }
}
