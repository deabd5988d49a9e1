// One intake: the patient, red flags, answers and the excerpt they saw; acuity, routing,
// messages, booking approval and closing. Live: the patient's answers arrive on the stream.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Card, Facts, Notice } from '../../lib/components.tsx';
import { useSession, waited } from '../context.ts';
import { useConsoleStream } from '../live.ts';
import { Chip, Page, when } from './shared.tsx';
import { actionText, reasonText, type Action, type Loaded } from './intake-text.ts';

export function Intake(props: { id: string; onError: (error: unknown) => void }) {
  const { api, t, labels, locale } = useSession();
  const { id } = props;
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | undefined>();
  const [chosen, setChosen] = useState(0);
  const [reason, setReason] = useState('');
  const [department, setDepartment] = useState('');
  const [template, setTemplate] = useState('');
  const [typed, setTyped] = useState('');
  // While the page's own action runs, its change on the stream must not redraw over its
  // confirmation (the reload after the action shows it).
  const acting = useRef(false);

  const reload = async (flash?: string) => {
    const data = await api.get<Loaded>(`/console/api/intakes/${id}`);
    setLoaded(data);
    setChosen(data.intake.acuity);
    setReason('');
    setDepartment(data.intake.department);
    setTemplate('');
    setTyped('');
    setNotice(flash ? { text: flash } : undefined);
  };
  useEffect(() => {
    reload().catch(props.onError);
  }, [id]);

  useConsoleStream('intake', (event) => {
    if (event.type !== 'intake.changed' && event.type !== 'intake.closed') return;
    const changedId = event.type === 'intake.changed' ? event.intake.id : event.id;
    if (changedId !== id || acting.current || !loaded) return;
    const before = loaded.intake;
    const after =
      event.type === 'intake.changed'
        ? event.intake
        : { ...before, status: 'closed' as const, typedRedFlags: before.typedRedFlags };
    if (
      after.acuity !== before.acuity ||
      after.typedRedFlags.length !== before.typedRedFlags.length ||
      after.status !== before.status
    ) {
      const alarm = after.typedRedFlags.length > before.typedRedFlags.length;
      void reload(alarm ? t('intake.emergencyAlert', { level: after.acuity }) : t('intake.updated')).catch(
        () => {},
      );
      return;
    }
    // Same level and status: only the thread grew (the patient answered).
    api
      .get<Loaded>(`/console/api/intakes/${id}`)
      .then((data) =>
        setLoaded(
          (current) => current && { ...current, intake: { ...current.intake, actions: data.intake.actions } },
        ),
      )
      .catch(() => {});
  });

  if (!loaded) return null;
  const { intake: i, excerpt, pendingAppointments: pending } = loaded;
  const a = i.answers;
  // An emergency stopped the questions: an answer missing is one never asked, not "does not know".
  const stopped = a.stoppedAt !== undefined;
  const author = (action: Action) =>
    action.kind === 'reply' ? t('intake.patient') : action.staff || t('intake.formerStaff');
  const closed = i.status === 'closed';

  const act = (run: () => Promise<unknown>, flash: string, after?: () => void) => () =>
    void perform(run, flash, after);
  const perform = async (run: () => Promise<unknown>, flash: string, after?: () => void) => {
    acting.current = true;
    try {
      await run();
      if (after) after();
      else await reload(flash);
    } catch (caught) {
      setNotice({ text: caught instanceof Error ? caught.message : String(caught), error: true });
    } finally {
      acting.current = false;
    }
  };
  const post = (action: string, body?: unknown) => () =>
    api.post(`/console/api/intakes/${id}/${action}`, body);
  const levelName = (level: number) => t(`acuity.${level}`);
  const talk = i.actions.filter((action) => action.kind === 'message' || action.kind === 'reply');
  const yesNo = (value: string) => t(`answer.${value}`);

  return (
    <Page active="inbox">
      <a class="back" href="#/">
        {t('intake.back')}
      </a>
      <div class="toolbar">
        <div>
          <h1>
            {labels.complaint[a.complaint] ?? a.complaint} <Chip level={i.acuity} />
          </h1>
          <p class="muted">
            {t('intake.summary', {
              waited: waited(t, i.createdAt),
              level: i.triageAcuity,
              status: t(`status.${i.status}`),
              review: t(i.reviewRequired ? 'answer.yes' : 'answer.no'),
            })}
          </p>
        </div>
      </div>
      <div class="detail">
        <div class="stack">
          <Card id="h-patient" title={t('intake.patient')}>
            <Facts
              rows={[
                [t('intake.name'), i.patient.fullName],
                [
                  t('intake.born'),
                  i.patient.birthDate + (a.age !== undefined ? t('intake.bornAge', { age: a.age }) : ''),
                ],
                [t('intake.phone'), <a href={`tel:${i.patient.phone}`}>{i.patient.phone}</a>],
                [
                  t('intake.channel'),
                  t('intake.channelValue', { channel: i.address.channel, locale: i.locale }),
                ],
              ]}
            />
          </Card>
          <Card id="h-flags" title={t('intake.redFlags')}>
            {i.typedRedFlags.length > 0 && (
              <ul aria-label={t('intake.typedList')}>
                {i.typedRedFlags.map((flag, index) => (
                  <li key={index}>
                    <span class="alert">{t('intake.typedTag')}</span>
                    {t('intake.typedText', { phrase: flag.phrase })}
                  </li>
                ))}
              </ul>
            )}
            {i.redFlags.length ? (
              <ul>
                {i.redFlags.map((flag) => (
                  <li key={flag}>
                    <span class="flag">{t('intake.yesTag')}</span> {labels.redFlag[flag] ?? flag}
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">
                {t(i.typedRedFlags.length ? 'intake.noRedFlagQuestion' : 'intake.noRedFlag')}
              </p>
            )}
            {i.reasons.length > 0 && (
              <p class="muted">
                {t('intake.raisedBy', {
                  reasons: i.reasons.map((each) => reasonText(t, labels, each)).join('; '),
                })}
              </p>
            )}
          </Card>
          <Card id="h-answers" title={t('intake.answers')}>
            <Facts
              rows={[
                [t('intake.complaint'), labels.complaint[a.complaint] ?? a.complaint],
                [
                  t('intake.started'),
                  a.onset
                    ? a.onset === 'unknown'
                      ? yesNo('unknown')
                      : (labels.onset[a.onset] ?? a.onset)
                    : '–',
                ],
                [
                  t('intake.severity'),
                  a.severity === undefined
                    ? stopped
                      ? '–'
                      : yesNo('unknown')
                    : t('intake.severityValue', { value: a.severity }),
                ],
                ...(a.pregnant ? [[t('intake.pregnant'), yesNo(a.pregnant)] as [string, string]] : []),
                [
                  t('intake.temperature'),
                  a.temperature === undefined
                    ? stopped
                      ? '–'
                      : t('intake.notMeasured')
                    : `${a.temperature} °C`,
                ],
                [t('intake.age'), a.age === undefined ? '–' : String(a.age)],
              ]}
            />
            {i.description && (
              <div>
                <h2 class="spaced">{t('intake.ownWords')}</h2>
                <blockquote class="card quote">{i.description}</blockquote>
              </div>
            )}
          </Card>
          <Card id="h-excerpt" title={t('intake.excerpt')}>
            <table class="qa">
              <tbody>
                {excerpt.map((line, index) => (
                  <tr key={index}>
                    <td>{line.question}</td>
                    <td>{line.answer}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        </div>
        <div class="stack">
          <Notice notice={notice} />
          {pending.length > 0 && (
            <Card id="h-pending" title={t('intake.pending')}>
              <p class="muted">{t('intake.pendingText')}</p>
              <ul class="history">
                {pending.map((appointment) => (
                  <li key={appointment.id}>
                    <strong>{appointment.when}</strong>
                    {` · ${labels.department[appointment.department ?? ''] ?? appointment.department ?? ''}${appointment.doctor ? ` · ${appointment.doctor}` : ''}`}
                    <div class="row">
                      <button
                        class="primary"
                        type="button"
                        onClick={act(
                          post('approve-appointment', { appointmentId: appointment.id }),
                          t('intake.approved'),
                        )}
                      >
                        {t('intake.approve')}
                      </button>
                    </div>
                  </li>
                ))}
              </ul>
            </Card>
          )}
          <Card id="h-acuity" title={t('intake.acuity')}>
            <div class="levels" role="group" aria-label={t('intake.levels')}>
              {[1, 2, 3, 4, 5].map((level) => (
                <button
                  key={level}
                  type="button"
                  class={`a${level}`}
                  aria-pressed={level === chosen}
                  data-level={level}
                  disabled={closed}
                  onClick={() => setChosen(level)}
                >
                  {level}
                  <small>{levelName(level)}</small>
                </button>
              ))}
            </div>
            <label for="reason">{t('intake.reason')}</label>
            <textarea
              id="reason"
              placeholder={t('intake.reasonPlaceholder')}
              value={reason}
              onInput={(event) => setReason(event.currentTarget.value)}
            />
            <div class="row">
              <button
                class="primary"
                type="button"
                disabled={closed}
                onClick={act(
                  post('acuity', { acuity: chosen, reason }),
                  t('intake.acuitySet', { level: chosen, name: levelName(chosen) }),
                )}
              >
                {chosen === i.acuity
                  ? t('intake.confirm', { level: chosen })
                  : t('intake.change', { level: chosen })}
              </button>
            </div>
          </Card>
          <Card id="h-route" title={t('intake.route')}>
            <select
              id="department"
              value={department}
              onChange={(event) => setDepartment(event.currentTarget.value)}
            >
              {Object.entries(labels.department).map(([code, name]) => (
                <option key={code} value={code}>
                  {name}
                </option>
              ))}
            </select>
            <div class="row">
              <button
                class="secondary"
                type="button"
                onClick={act(
                  post('route', { department }),
                  t('intake.routed', { department: labels.department[department] ?? department }),
                )}
              >
                {t('intake.routeButton')}
              </button>
            </div>
          </Card>
          <Card id="h-message" title={t('intake.message')}>
            <p class="muted">{t('intake.messageHint', { channel: i.address.channel })}</p>
            <label for="template">{t('intake.template')}</label>
            <select
              id="template"
              value={template}
              onChange={(event) => setTemplate(event.currentTarget.value)}
            >
              <option value="">{t('intake.typeInstead')}</option>
              {Object.entries(labels.templates).map(([code, text]) => (
                <option key={code} value={code}>
                  {text}
                </option>
              ))}
            </select>
            <label for="message">{t('intake.orType')}</label>
            <textarea
              id="message"
              placeholder={t('intake.messagePlaceholder')}
              value={typed}
              onInput={(event) => setTyped(event.currentTarget.value)}
            />
            <div class="row">
              <button
                class="primary"
                type="button"
                onClick={act(post('messages', template ? { template } : { text: typed }), t('intake.sent'))}
              >
                {t('intake.send')}
              </button>
            </div>
          </Card>
          <Card id="h-thread" title={t('intake.thread')}>
            <ol class="thread" id="thread" aria-live="polite">
              {talk.length ? (
                talk.map((action, index) => (
                  <li key={index} class={action.kind === 'reply' ? 'patient' : ''}>
                    <strong>{author(action)}</strong> {actionText(t, labels, locale, action)}
                    <div class="muted">{when(locale, action.at)}</div>
                  </li>
                ))
              ) : (
                <li class="muted">{t('intake.noMessage')}</li>
              )}
            </ol>
          </Card>
          <Card id="h-history" title={t('intake.history')}>
            {i.actions.length ? (
              <ul class="history">
                {i.actions.map((action, index) => (
                  <li key={index}>
                    <strong>{author(action)}</strong> {actionText(t, labels, locale, action)}
                    <div class="muted">{when(locale, action.at)}</div>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">{t('intake.noAction')}</p>
            )}
            {closed ? (
              <p class="muted">{t('intake.closed')}</p>
            ) : (
              <div class="row">
                <button
                  class="danger"
                  type="button"
                  onClick={act(post('close'), '', () => {
                    location.hash = '#/';
                  })}
                >
                  {t('intake.close')}
                </button>
              </div>
            )}
          </Card>
        </div>
      </div>
    </Page>
  );
}
