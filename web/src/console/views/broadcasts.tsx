// Hospital broadcasts (#/broadcasts), for operators and admins: the composer, then the sent
// broadcast's live progress and report, and the past broadcasts. Progress comes from the
// console's stream (broadcast.progress events), never from polling; after a dropped stream the
// page reloads what it shows.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { BroadcastReport } from '../../../../src/domain/broadcasts.ts';
import { DataTable, Notice } from '../../lib/components.tsx';
import { useSession } from '../context.ts';
import { useConsoleStream } from '../live.ts';
import { Composer } from './broadcast-composer.tsx';
import { useDoctorNames } from './broadcast-doctors.ts';
import { ReportCard, audienceLine, doneOf, hospitalTime, later } from './broadcast-report.tsx';
import { Page } from './shared.tsx';

export function BroadcastsView(props: { onError: (error: unknown) => void }) {
  const { api, t, labels, locale } = useSession();
  const [past, setPast] = useState<BroadcastReport[] | undefined>();
  const [current, setCurrent] = useState<BroadcastReport | undefined>();
  const [composing, setComposing] = useState(0);
  const [notice, setNotice] = useState<{ text: string } | undefined>();
  const department = (code: string) => labels.department[code] ?? code;
  const doctor = useDoctorNames([...(past ?? []), ...(current ? [current] : [])].map((row) => row.audience));

  const loadPast = useCallback(
    () =>
      api
        .get<{ broadcasts: BroadcastReport[] }>('/console/api/broadcasts')
        .then((answer) => setPast(answer.broadcasts), props.onError),
    [],
  );
  const open = async (id: string) => {
    const answer = await api.get<{ report: BroadcastReport }>(`/console/api/broadcasts/${id}`);
    show(answer.report);
  };
  /** A report as it is now: shown if it is the open one, and its row in the list updated. */
  const show = (report: BroadcastReport, opening = true) => {
    setCurrent((shown) => (opening || shown?.id === report.id ? later(shown, report) : shown));
    setPast((rows) => {
      if (!rows) return rows;
      const at = rows.findIndex((row) => row.id === report.id);
      if (at < 0) return [report, ...rows];
      return rows.map((row, index) => (index === at ? later(row, report) : row));
    });
  };
  useEffect(() => void loadPast(), []);
  const live = useConsoleStream(
    'broadcast',
    (event) => {
      if (event.type === 'broadcast.progress') show(event.report, false);
    },
    () => {
      void loadPast();
      if (current) void open(current.id).catch(props.onError);
    },
  );

  return (
    <Page active="broadcasts">
      <div class="toolbar">
        <div>
          <h1>{t('broadcasts.title')}</h1>
          <p class="muted">{t('broadcasts.intro')}</p>
        </div>
        <span class={live === 'live' ? 'live on' : 'live'}>{t(`inbox.${live}`)}</span>
      </div>
      <Notice notice={notice} />
      {current ? (
        <ReportCard
          report={current}
          doctor={doctor(current.audience)}
          onChange={(report) => show(report)}
          onNew={() => {
            setCurrent(undefined);
            setNotice(undefined);
            setComposing((n) => n + 1);
          }}
        />
      ) : (
        <Composer
          key={composing}
          onSent={(id, created) => {
            setNotice(created ? undefined : { text: t('broadcasts.sentAgain') });
            void open(id).catch(props.onError);
          }}
        />
      )}

      <h2 class="spaced">{t('broadcasts.past')}</h2>
      <DataTable
        label={t('broadcasts.past')}
        class="past-broadcasts"
        head={[
          { text: t('broadcasts.when') },
          { text: t('broadcasts.who') },
          { text: t('broadcasts.by'), narrow: true },
          { text: t('broadcasts.recipients') },
          { text: '' },
        ]}
        empty={past ? t('broadcasts.pastNone') : t('loading')}
      >
        {(past ?? []).map((report) => (
          <tr key={report.id} data-id={report.id} class={current?.id === report.id ? 'fresh' : undefined}>
            <td>{hospitalTime(locale, labels.broadcasts.timeZone, report.createdAt)}</td>
            <td class="audience">{audienceLine(t, department, report.audience, doctor(report.audience))}</td>
            <td class="hide-narrow">{report.sentBy}</td>
            <td>
              {`${doneOf(report)} / ${report.total}`}{' '}
              <span class={`tag status-${report.status}`}>{t(`broadcasts.status.${report.status}`)}</span>
            </td>
            <td class="open">
              <button
                type="button"
                class="secondary"
                onClick={() => void open(report.id).catch(props.onError)}
              >
                {t('broadcasts.open')}
              </button>
            </td>
          </tr>
        ))}
      </DataTable>
    </Page>
  );
}
