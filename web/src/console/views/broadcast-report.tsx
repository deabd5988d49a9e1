// One broadcast's delivery: a progress bar (sent, failed and blocked of all its recipients) that
// follows the live stream, and the report by channel; "Stop sending" while it is sending.
import { useState } from 'preact/hooks';
import type { Audience, BroadcastReport, DeliveryCounts } from '../../../../src/domain/broadcasts.ts';
import { Notice } from '../../lib/components.tsx';
import type { Translate } from '../../lib/i18n.ts';
import { useSession } from '../context.ts';

/** Recipients whose delivery is over, whatever the outcome. */
export const doneOf = (counts: DeliveryCounts) => counts.sent + counts.failed + counts.blocked;

/** Whole percent done; an empty broadcast is done. */
export const percentOf = (counts: DeliveryCounts) =>
  counts.total === 0 ? 100 : Math.floor((doneOf(counts) * 100) / counts.total);

/** Of two reports of one broadcast (a GET and a stream event racing), the later one. */
export function later(a: BroadcastReport | undefined, b: BroadcastReport): BroadcastReport {
  if (!a || a.id !== b.id) return b;
  const rank = (report: BroadcastReport) =>
    (report.status === 'sending' ? 0 : 1) * 1e12 + doneOf(report) + report.cancelled;
  return rank(b) >= rank(a) ? b : a;
}

/** A channel's name in the staff member's language, or as the platform calls itself. */
export function channelName(t: Translate, channel: string): string {
  const key = `broadcasts.channels.${channel}`;
  const name = t(key);
  return name === key ? channel : name;
}

/**
 * When a broadcast was made, as the hospital's clocks showed it (not the browser's zone), in the
 * staff member's language's usual order, to the minute.
 */
export const hospitalTime = (locale: string, timeZone: string, iso: string | number) =>
  new Date(iso).toLocaleString(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });

/**
 * What an audience was, in one line; `doctor` is its doctor's name (useDoctorNames), left out
 * while unknown: the practitioner id means nothing to staff.
 */
export function audienceLine(
  t: Translate,
  department: (code: string) => string,
  audience: Audience,
  doctor?: string,
) {
  switch (audience.kind) {
    case 'appointments':
      return [
        t('broadcasts.audienceOf.appointments', { date: audience.date }),
        ...(audience.department ? [department(audience.department)] : []),
        ...(audience.doctor && doctor ? [doctor] : []),
      ].join(' · ');
    case 'queue':
      return t('broadcasts.audienceOf.queue', { department: department(audience.department) });
    case 'subscribers':
      return t('broadcasts.audienceOf.subscribers');
  }
}

export function ProgressBar(props: { report: BroadcastReport }) {
  const { t } = useSession();
  const { report } = props;
  const done = doneOf(report);
  if (report.status === 'cancelled') return <StoppedBar report={report} />;
  const percent = percentOf(report);
  return (
    <div class="progress">
      <progress
        max={Math.max(report.total, 1)}
        value={report.total === 0 ? 1 : done}
        aria-label={t('broadcasts.progressLabel')}
        data-percent={percent}
      />
      <p class="progress-text" aria-live="polite">
        {t('broadcasts.progress', { done, total: report.total, percent })}
      </p>
    </div>
  );
}

/**
 * A stopped broadcast is over, not unfinished: what went out and what was dropped, side by side
 * (calls in flight at the stop may still land in the gap between them).
 */
function StoppedBar(props: { report: BroadcastReport }) {
  const { t } = useSession();
  const { report } = props;
  const text = t('broadcasts.progressStopped', {
    sent: report.sent,
    total: report.total,
    cancelled: report.cancelled,
  });
  const share = (n: number) => `${(n * 100) / Math.max(report.total, 1)}%`;
  return (
    <div class="progress stopped">
      <div class="stopped-bar" role="img" aria-label={text}>
        <span class="part done" style={{ width: share(doneOf(report)) }} />
        <span class="part cancelled" style={{ width: share(report.cancelled) }} />
      </div>
      <p class="progress-text" aria-live="polite">
        {text}
      </p>
    </div>
  );
}

export function ReportCard(props: {
  report: BroadcastReport;
  /** The audience's doctor by name, when it names one and the hospital has answered. */
  doctor?: string | undefined;
  onChange: (report: BroadcastReport) => void;
  onNew: () => void;
}) {
  const { api, t, labels, locale, boot } = useSession();
  const { report } = props;
  const languageName = (code: string) => boot.locales.find((each) => each.code === code)?.name ?? code;
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | undefined>();
  const department = (code: string) => labels.department[code] ?? code;
  const channels = Object.entries(report.channels).filter(([, counts]) => counts.total > 0);
  const cancel = async () => {
    try {
      const result = await api.post<{ report: BroadcastReport }>(
        `/console/api/broadcasts/${report.id}/cancel`,
      );
      props.onChange(result.report);
      setNotice({ text: t('broadcasts.cancelDone') });
    } catch (error) {
      setNotice({ text: error instanceof Error ? error.message : String(error), error: true });
    }
  };
  const row = (name: string, counts: DeliveryCounts, key: string) => (
    <tr key={key} data-channel={key}>
      <th scope="row">{name}</th>
      <td class="hide-narrow">{counts.total}</td>
      <td data-count="sent">{counts.sent}</td>
      <td data-count="failed">{counts.failed}</td>
      <td data-count="blocked">{counts.blocked}</td>
      <td data-count="pending">{counts.pending}</td>
      <td data-count="cancelled" class="hide-narrow">
        {counts.cancelled}
      </td>
    </tr>
  );
  return (
    <section class="card broadcast-report" aria-labelledby="h-report" data-id={report.id}>
      <div class="report-head">
        <h2 id="h-report">{t('broadcasts.report')}</h2>
        <span class={`tag status-${report.status}`} data-status={report.status}>
          {t(`broadcasts.status.${report.status}`)}
        </span>
      </div>
      <p class="muted">
        {[
          audienceLine(t, department, report.audience, props.doctor),
          report.sentBy,
          hospitalTime(locale, labels.broadcasts.timeZone, report.createdAt),
        ].join(' · ')}
      </p>
      <ProgressBar report={report} />
      <dl class="tallies">
        {(['sent', 'failed', 'blocked', 'pending', 'cancelled'] as const).map((kind) => (
          <div key={kind} class={`tally ${kind}${report[kind] > 0 ? ' some' : ''}`} data-tally={kind}>
            <dt>{t(`broadcasts.${kind}`)}</dt>
            <dd>{report[kind]}</dd>
          </div>
        ))}
      </dl>
      <div class="inbox report-table">
        <table aria-label={t('broadcasts.report')}>
          <thead>
            <tr>
              <th>{t('broadcasts.channel')}</th>
              <th class="hide-narrow">{t('broadcasts.total')}</th>
              <th>{t('broadcasts.sent')}</th>
              <th>{t('broadcasts.failed')}</th>
              <th>{t('broadcasts.blocked')}</th>
              <th>{t('broadcasts.pending')}</th>
              <th class="hide-narrow">{t('broadcasts.cancelled')}</th>
            </tr>
          </thead>
          <tbody>
            {channels.map(([name, counts]) => row(channelName(t, name), counts, name))}
            {row(t('broadcasts.allChannels'), report, 'all')}
          </tbody>
        </table>
      </div>
      <details class="sent-texts">
        <summary>{t('broadcasts.texts')}</summary>
        {Object.entries(report.texts).map(([code, text]) => (
          <blockquote key={code} lang={code} class="quote">
            <small>{languageName(code)}</small>
            {text}
          </blockquote>
        ))}
      </details>
      <Notice notice={notice} />
      <div class="actions">
        {report.status === 'sending' && (
          <button type="button" class="danger" onClick={() => void cancel()}>
            {t('broadcasts.cancel')}
          </button>
        )}
        <button type="button" class="secondary" onClick={props.onNew}>
          {t('broadcasts.new')}
        </button>
      </div>
    </section>
  );
}
