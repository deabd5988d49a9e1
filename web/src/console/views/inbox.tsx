// The triage inbox: open intakes, most urgent first, patched live by the stream's events.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { InboxRow } from '../../../../src/server/console/events.ts';
import { DataTable } from '../../lib/components.tsx';
import { useSession, waited } from '../context.ts';
import { useConsoleStream } from '../live.ts';
import { Chip, Page } from './shared.tsx';

/** The server's order: acuity, then a typed emergency first, then longest waiting. */
export function inboxOrder(a: InboxRow, b: InboxRow): number {
  const alerted = (row: InboxRow) => (row.typedRedFlags.length > 0 ? 0 : 1);
  return a.acuity - b.acuity || alerted(a) - alerted(b) || a.createdAt.localeCompare(b.createdAt);
}

/** The list after one change: the row replaced or added in its place, or removed when closed. */
export function patchInbox(rows: InboxRow[], change: { changed?: InboxRow; closed?: string }): InboxRow[] {
  const id = change.changed?.id ?? change.closed;
  const rest = rows.filter((row) => row.id !== id);
  return change.changed ? [...rest, change.changed].sort(inboxOrder) : rest;
}

export function Inbox(props: { onError: (error: unknown) => void }) {
  const { api, t, labels } = useSession();
  const [rows, setRows] = useState<InboxRow[] | undefined>();
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const load = useCallback(
    () =>
      api
        .get<{ intakes: InboxRow[] }>('/console/api/intakes')
        .then((data) => setRows(data.intakes), props.onError),
    [],
  );
  useEffect(() => void load(), []);
  const live = useConsoleStream(
    'intake',
    (event) => {
      if (event.type === 'intake.changed') {
        const row = event.intake;
        setRows((current) => {
          if (current && !current.some((each) => each.id === row.id))
            setFresh((ids) => new Set(ids).add(row.id));
          return current && patchInbox(current, { changed: row });
        });
      } else if (event.type === 'intake.closed')
        setRows((current) => current && patchInbox(current, { closed: event.id }));
    },
    () => void load(),
  );
  if (!rows) return null;
  const open = (id: string) => {
    location.hash = `#/intakes/${id}`;
  };
  return (
    <Page active="inbox">
      <div class="toolbar">
        <div>
          <h1>{t('inbox.title')}</h1>
          <p class="muted">{t('inbox.count', { count: rows.length })}</p>
        </div>
        <span class={live === 'live' ? 'live on' : 'live'} id="live">
          {t(`inbox.${live}`)}
        </span>
      </div>
      <DataTable
        label={t('inbox.tableLabel')}
        head={[
          { text: t('inbox.acuity') },
          { text: t('inbox.waiting') },
          { text: t('inbox.complaint') },
          { text: t('inbox.patient') },
          { text: t('inbox.redFlags') },
          { text: t('inbox.department'), narrow: true },
          { text: t('inbox.status'), narrow: true },
        ]}
        empty={t('inbox.empty')}
      >
        {rows.map((row) => (
          <tr
            key={row.id}
            data-id={row.id}
            tabIndex={0}
            class={fresh.has(row.id) ? 'fresh' : ''}
            onClick={() => open(row.id)}
            onKeyDown={(event) => event.key === 'Enter' && open(row.id)}
          >
            <td>
              <Chip level={row.acuity} />
            </td>
            <td>{waited(t, row.createdAt)}</td>
            <td>{labels.complaint[row.complaint] ?? row.complaint}</td>
            <td>
              {row.patientName} <span class="tag">{row.channel}</span>
            </td>
            <td>
              {row.typedRedFlags.length || row.redFlags.length ? (
                <>
                  {row.typedRedFlags.map((flag, index) => (
                    <span key={`t${index}`} class="alert" role="img" aria-label={t('inbox.typedAlert')}>
                      {t('inbox.typed', { phrase: flag.phrase })}
                    </span>
                  ))}
                  {row.redFlags.map((flag) => (
                    <span key={flag} class="flag" title={labels.redFlag[flag]}>
                      {labels.redFlag[flag] ?? flag}
                    </span>
                  ))}
                </>
              ) : (
                <span class="muted">{t('inbox.none')}</span>
              )}
            </td>
            <td class="hide-narrow">{labels.department[row.department] ?? row.department}</td>
            <td class={`hide-narrow status-${row.status}`}>{t(`status.${row.status}`)}</td>
          </tr>
        ))}
      </DataTable>
    </Page>
  );
}
