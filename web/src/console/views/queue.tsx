// A department's queue board for the desk: call the next ticket to this room or counter, and
// recall, mark a no-show (after QUEUE_MAX_RECALLS recalls), transfer or finish a called one.
// Live: the stream's queue.board events replace the board as the queue moves.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { MAX_ROOM_LENGTH, queueRoom } from '../../../../src/domain/queue-room.ts';
import type { StaffQueueBoard } from '../../../../src/domain/queue.ts';
import type { BoardResponse } from '../../../../src/features/queue/console.ts';
import { DataTable, Notice } from '../../lib/components.tsx';
import { can, useSession, waited } from '../context.ts';
import { useConsoleStream } from '../live.ts';
import { QUEUE_ACT, useDesk } from './queue-desk.ts';
import { Chip, Page } from './shared.tsx';
import { TransferForm } from './queue-transfer.tsx';

type Row = StaffQueueBoard['tickets'][number];

export function QueueBoardView(props: { department: string; onError: (error: unknown) => void }) {
  const { api, t, labels, me, locale } = useSession();
  const { department } = props;
  const [data, setData] = useState<BoardResponse | undefined>();
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | undefined>();
  const [transferring, setTransferring] = useState<string | undefined>();
  const desk = useDesk();
  const load = useCallback(
    () =>
      api
        .get<BoardResponse>(`/console/api/queues/${department}`)
        .then((response) => setData(response), props.onError),
    [department],
  );
  useEffect(() => void load(), [department]);
  const live = useConsoleStream(
    'queue',
    (event) => {
      if (event.type === 'queue.board' && event.board.department === department)
        setData((current) => current && { ...current, board: event.board });
    },
    () => void load(),
  );
  if (!data) return null;
  const { board, maxRecalls, timeZone } = data;
  const acts = can(me, QUEUE_ACT);
  const byId = new Map(board.tickets.map((ticket) => [ticket.id, ticket]));
  const byLabel = new Map(board.tickets.map((ticket) => [ticket.label, ticket]));
  const called = board.tickets.filter((ticket) => ticket.status === 'called');
  const mine = called.filter((ticket) => ticket.room === desk.room);
  const waiting = board.waiting.flatMap((entry) => {
    const ticket = byLabel.get(entry.label);
    return ticket ? [{ ...ticket, etaMinutes: entry.etaMinutes }] : [];
  });
  const name = (code: string) => labels.department[code] ?? code;
  const time = (at: number | undefined) =>
    at === undefined
      ? '–'
      : new Date(at).toLocaleTimeString(locale, { timeZone, hour: '2-digit', minute: '2-digit' });

  /** A desk action; its result is said in the notice, the board follows from the stream. */
  const act = async (path: string, body: unknown, said: (label: string) => string) => {
    try {
      const result = await api.post<{ ticket: { label: string } | null }>(path, body);
      setNotice(result.ticket ? { text: said(result.ticket.label) } : { text: t('queue.nobodyWaiting') });
      setTransferring(undefined);
      void load();
    } catch (error) {
      setNotice({ text: error instanceof Error ? error.message : String(error), error: true });
    }
  };
  const ticketAction = (ticket: Row, action: 'recall' | 'no-show' | 'done') =>
    act(`/console/api/queues/tickets/${ticket.id}/${action}`, undefined, (label) =>
      t(`queue.did.${action}`, { label }),
    );

  const actions = (ticket: Row) =>
    acts && (
      <div class="actions">
        {ticket.status === 'called' && (
          <>
            <button
              type="button"
              class="secondary"
              disabled={ticket.recalls >= maxRecalls}
              onClick={() => void ticketAction(ticket, 'recall')}
            >
              {t('queue.recall')}
            </button>
            <button
              type="button"
              class="danger"
              disabled={ticket.recalls < maxRecalls}
              title={ticket.recalls < maxRecalls ? t('queue.noShowAfter', { max: maxRecalls }) : undefined}
              onClick={() => void ticketAction(ticket, 'no-show')}
            >
              {t('queue.noShow')}
            </button>
            <button type="button" class="primary" onClick={() => void ticketAction(ticket, 'done')}>
              {t('queue.done')}
            </button>
          </>
        )}
        <button type="button" class="secondary" onClick={() => setTransferring(ticket.id)}>
          {t('queue.transfer')}
        </button>
      </div>
    );
  const transfer = transferring ? byId.get(transferring) : undefined;

  return (
    <Page active="queues">
      <div class="toolbar">
        <div>
          <h1>{t('queue.title', { department: name(department) })}</h1>
          <p class="muted">
            {t('queue.summary', {
              waiting: board.waiting.length,
              called: called.length,
              minutes: Math.round(board.averageServiceMinutes),
            })}
          </p>
        </div>
        <span class={live === 'live' ? 'live on' : 'live'}>{t(`inbox.${live}`)}</span>
      </div>
      <div class="card queue-desk">
        <label>
          {t('queue.department')}
          <select
            value={department}
            onChange={(event) => {
              desk.setDepartment(event.currentTarget.value);
              location.hash = `#/queues/${event.currentTarget.value}`;
            }}
          >
            {Object.keys(labels.department).map((code) => (
              <option key={code} value={code}>
                {name(code)}
              </option>
            ))}
          </select>
        </label>
        {acts && (
          <label>
            {t('queue.room')}
            <input
              value={desk.room}
              maxLength={MAX_ROOM_LENGTH * 4}
              placeholder={t('queue.roomPlaceholder')}
              onInput={(event) => desk.setRoom(event.currentTarget.value)}
            />
          </label>
        )}
        {acts && (
          <button
            type="button"
            class="primary call-next"
            disabled={!queueRoom(desk.room) || board.waiting.length === 0}
            onClick={() =>
              void act(`/console/api/queues/${department}/call-next`, { room: desk.room.trim() }, (label) =>
                t('queue.did.call-next', { label, room: desk.room.trim() }),
              )
            }
          >
            {t('queue.callNext')}
          </button>
        )}
      </div>
      <Notice notice={notice} />
      {transfer && (
        <TransferForm
          key={transfer.id}
          ticket={transfer}
          department={department}
          onCancel={() => setTransferring(undefined)}
          onTransfer={(to) =>
            void act(`/console/api/queues/tickets/${transfer.id}/transfer`, to, (label) =>
              // A transfer to another department gives a new number: name the old one too.
              t('queue.did.transfer', { from: transfer.label, label, department: name(to.department) }),
            )
          }
        />
      )}
      {acts && desk.room.trim() && (
        <section class="card spaced-below serving" aria-labelledby="h-serving">
          <h2 id="h-serving">{t('queue.serving', { room: desk.room.trim() })}</h2>
          {mine.length ? (
            mine.map((ticket) => (
              <div class="serving-row" key={ticket.id} data-id={ticket.id}>
                <span class="serving-label">{ticket.label}</span>
                <span class="muted">{t('queue.recalls', { n: ticket.recalls, max: maxRecalls })}</span>
                {actions(ticket)}
              </div>
            ))
          ) : (
            <p class="muted">{t('queue.servingNone')}</p>
          )}
        </section>
      )}
      <h2>{t('queue.called')}</h2>
      <DataTable
        label={t('queue.called')}
        head={[
          { text: t('queue.ticket') },
          { text: t('queue.roomColumn') },
          { text: t('queue.calledAt') },
          { text: t('queue.recallsColumn') },
          { text: '' },
        ]}
        empty={t('queue.calledNone')}
      >
        {called.map((ticket) => (
          <tr key={ticket.id} data-id={ticket.id} data-label={ticket.label}>
            <td class="ticket-label">{ticket.label}</td>
            <td>{ticket.room ?? '–'}</td>
            <td>{time(ticket.calledAt)}</td>
            <td>{`${ticket.recalls} / ${maxRecalls}`}</td>
            <td>{actions(ticket)}</td>
          </tr>
        ))}
      </DataTable>
      <h2>{t('queue.waiting')}</h2>
      <DataTable
        label={t('queue.waiting')}
        head={[
          { text: '#', narrow: true },
          { text: t('queue.ticket') },
          { text: t('queue.kind') },
          { text: t('queue.appointment') },
          { text: t('queue.priority'), narrow: true },
          { text: t('queue.checkedIn'), narrow: true },
          { text: t('queue.eta') },
          { text: '' },
        ]}
        empty={t('queue.waitingNone')}
      >
        {waiting.map((ticket, index) => (
          <tr key={ticket.id} data-id={ticket.id} data-label={ticket.label}>
            <td class="hide-narrow">{index + 1}</td>
            <td class="ticket-label">{ticket.label}</td>
            <td>{t(`queue.kinds.${ticket.kind}`)}</td>
            <td>{time(ticket.appointmentStart)}</td>
            <td class="hide-narrow">{ticket.acuity ? <Chip level={ticket.acuity} /> : '–'}</td>
            <td class="hide-narrow">{waited(t, new Date(ticket.checkedInAt).toISOString())}</td>
            <td>{t('queue.minutes', { minutes: ticket.etaMinutes })}</td>
            <td>{actions(ticket)}</td>
          </tr>
        ))}
      </DataTable>
    </Page>
  );
}
