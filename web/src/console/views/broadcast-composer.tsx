// Composing a broadcast: the audience (with how many it reaches now, by channel and language),
// a text per language (a language with readers but no text is flagged with what they will get),
// the notice as a patient sees it, and "Send…" with a confirmation naming the count. The
// idempotency key is made once per compose, so a double click or a retry sends once.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  textLocale,
  type Audience,
  type AudienceCount,
  type BroadcastTexts,
} from '../../../../src/domain/broadcasts.ts';
import type { Department } from '../../../../src/domain/triage.ts';
import type { Locale } from '../../../../src/i18n/locales.ts';
import { useSession } from '../context.ts';
import { addDays } from '../../../../src/domain/time-zone.ts';
import { doctorName, type Doctor } from './broadcast-doctors.ts';
import { audienceLine, channelName } from './broadcast-report.tsx';

type Kind = Audience['kind'];
const KINDS: Kind[] = ['appointments', 'queue', 'subscribers'];

/** A key for one compose: random, and accepted by the server's pattern. */
export const composeKey = () =>
  `console-${Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('')}`;

export function Composer(props: { onSent: (id: string, created: boolean) => void }) {
  const { api, t, labels, boot, locale } = useSession();
  const { frames, hospitalLocale, timeZone, maxText, maxDaysAhead } = labels.broadcasts;
  const today = new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());
  // The days the server accepts (validateAudience): the picker offers no other; its 400 still decides.
  const lastDay = addDays(today, maxDaysAhead);
  const departments = Object.keys(labels.department) as Department[];
  const locales = boot.locales.map((each) => each.code as Locale);
  const languageName = (code: string) => boot.locales.find((each) => each.code === code)?.name ?? code;

  const [kind, setKind] = useState<Kind>('appointments');
  const [date, setDate] = useState(today);
  const [department, setDepartment] = useState<Department | ''>('');
  const [doctor, setDoctor] = useState('');
  const [doctors, setDoctors] = useState<Doctor[]>([]);
  const [count, setCount] = useState<AudienceCount | undefined>();
  const [texts, setTexts] = useState<BroadcastTexts>({});
  const [previewIn, setPreviewIn] = useState<Locale>(hospitalLocale);
  const [key] = useState(composeKey);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const dialog = useRef<HTMLDialogElement>(null);
  const counting = useRef(0);

  const queueDepartment = department || departments[0] || 'general_medicine';
  const audience: Audience =
    kind === 'appointments'
      ? { kind, date, ...(department ? { department } : {}), ...(department && doctor ? { doctor } : {}) }
      : kind === 'queue'
        ? { kind, department: queueDepartment }
        : { kind };
  const audienceKey = JSON.stringify(audience);
  const chosen = doctors.find((each) => each.id === doctor);

  useEffect(() => {
    const asked = ++counting.current;
    setCount(undefined);
    api.post<AudienceCount>('/console/api/broadcasts/count', { audience }).then(
      (answer) => asked === counting.current && setCount(answer),
      (failure: unknown) => asked === counting.current && setError(String((failure as Error).message)),
    );
  }, [audienceKey]);

  useEffect(() => {
    setDoctor('');
    setDoctors([]);
    if (kind !== 'appointments' || !department) return;
    api.get<{ doctors: Doctor[] }>(`/console/api/broadcasts/doctors/${department}`).then(
      (answer) => setDoctors(answer.doctors),
      () => setDoctors([]),
    );
  }, [kind, department]);

  const written = Object.fromEntries(
    Object.entries(texts).filter(([, text]) => text?.trim()),
  ) as BroadcastTexts;
  const anyText = Object.keys(written).length > 0;
  const readers = (code: Locale) => count?.locales[code] ?? 0;
  const shown = textLocale(written, previewIn, hospitalLocale);
  const canSend = anyText && (count?.total ?? 0) > 0 && !sending;

  const send = async () => {
    setSending(true);
    setError(undefined);
    try {
      const answer = await api.post<{ id: string; created: boolean }>('/console/api/broadcasts', {
        audience,
        texts: written,
        idempotencyKey: key,
      });
      dialog.current?.close();
      props.onSent(answer.id, answer.created);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setSending(false);
    }
  };

  return (
    <div class="composer">
      <section class="card" aria-labelledby="h-audience">
        <h2 id="h-audience">{t('broadcasts.audience')}</h2>
        <div class="kinds" role="radiogroup" aria-labelledby="h-audience">
          {KINDS.map((each) => (
            <label key={each} class="kind">
              <input
                type="radio"
                name="audience"
                value={each}
                checked={kind === each}
                onChange={() => setKind(each)}
              />
              <span>{t(`broadcasts.kind.${each}`)}</span>
            </label>
          ))}
        </div>
        <div class="audience-fields">
          {kind === 'appointments' && (
            <label>
              {t('broadcasts.date')}
              <input
                type="date"
                value={date}
                min={today}
                max={lastDay}
                required
                onInput={(e) => setDate(e.currentTarget.value || today)}
              />
            </label>
          )}
          {kind !== 'subscribers' && (
            <label>
              {t('broadcasts.department')}
              <select
                value={kind === 'queue' ? queueDepartment : department}
                onChange={(e) => setDepartment(e.currentTarget.value as Department | '')}
              >
                {kind === 'appointments' && <option value="">{t('broadcasts.anyDepartment')}</option>}
                {departments.map((code) => (
                  <option key={code} value={code}>
                    {labels.department[code]}
                  </option>
                ))}
              </select>
            </label>
          )}
          {kind === 'appointments' && department && doctors.length > 0 && (
            <label>
              {t('broadcasts.doctor')}
              <select value={doctor} onChange={(e) => setDoctor(e.currentTarget.value)}>
                <option value="">{t('broadcasts.anyDoctor')}</option>
                {doctors.map((each) => (
                  <option key={each.id} value={each.id}>
                    {doctorName(each, locale)}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        <p class="muted">{t(kind === 'subscribers' ? 'broadcasts.optedIn' : 'broadcasts.care')}</p>
        <div class="count" role="status" aria-live="polite" data-total={count?.total ?? ''}>
          {!count ? (
            <span class="muted">{t('broadcasts.counting')}</span>
          ) : count.total === 0 ? (
            <strong>{t('broadcasts.none')}</strong>
          ) : (
            <>
              <strong>{t('broadcasts.count', { count: count.total })}</strong>
              <span class="muted">
                {Object.entries(count.channels)
                  .filter(([, n]) => n > 0)
                  .map(([channel, n]) => `${channelName(t, channel)} ${n}`)
                  .join(' · ')}
              </span>
            </>
          )}
        </div>
      </section>

      <div class="compose-grid">
        <section class="card" aria-labelledby="h-texts">
          <h2 id="h-texts">{t('broadcasts.texts')}</h2>
          <p class="muted">{t('broadcasts.textsHint')}</p>
          {locales.map((code) => {
            const text = texts[code] ?? '';
            const fallback = !text.trim() && readers(code) > 0 && textLocale(written, code, hospitalLocale);
            return (
              <div
                class="language"
                key={code}
                data-locale={code}
                data-missing={fallback ? 'true' : undefined}
              >
                <label for={`text-${code}`}>
                  {languageName(code)}
                  {readers(code) > 0 && (
                    <span class="tag">{t('broadcasts.readers', { count: readers(code) })}</span>
                  )}
                </label>
                <textarea
                  id={`text-${code}`}
                  lang={code}
                  maxLength={maxText}
                  value={text}
                  onFocus={() => setPreviewIn(code)}
                  onInput={(e) => setTexts({ ...texts, [code]: e.currentTarget.value })}
                />
                <div class="language-foot">
                  {!text.trim() && readers(code) > 0 && (
                    <span class="flag missing" role="note">
                      {fallback
                        ? t('broadcasts.missing', { fallback: languageName(fallback) })
                        : t('broadcasts.noText')}
                    </span>
                  )}
                  <span class="muted length">{t('broadcasts.length', { n: text.length, max: maxText })}</span>
                </div>
              </div>
            );
          })}
        </section>

        <section class="card preview-card" aria-labelledby="h-preview">
          <h2 id="h-preview">{t('broadcasts.preview')}</h2>
          <label>
            {t('broadcasts.previewAs', { language: languageName(previewIn) })}
            <select value={previewIn} onChange={(e) => setPreviewIn(e.currentTarget.value as Locale)}>
              {locales.map((code) => (
                <option key={code} value={code}>
                  {languageName(code)}
                </option>
              ))}
            </select>
          </label>
          <div class="phone-chat">
            {shown ? (
              <div class="bubble" lang={previewIn} data-text-locale={shown}>
                {/* Heading and footer follow the text's language, as delivery writes them (delivery-notice.ts). */}
                <p class="heading">{frames[shown].heading}</p>
                <p>{written[shown]}</p>
                <p class="footer">
                  {kind === 'subscribers' ? frames[shown].footer : frames[shown].careFooter}
                </p>
              </div>
            ) : (
              <p class="muted">{t('broadcasts.previewEmpty')}</p>
            )}
          </div>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          {!anyText && <p class="muted">{t('broadcasts.noText')}</p>}
          <div class="send-row">
            <button
              type="button"
              class="primary"
              disabled={!canSend}
              onClick={() => dialog.current?.showModal()}
            >
              {t('broadcasts.send')}
            </button>
          </div>
        </section>
      </div>

      <dialog ref={dialog} class="confirm" aria-labelledby="h-confirm">
        <h2 id="h-confirm">{t('broadcasts.confirmTitle')}</h2>
        <p class="muted">
          {audienceLine(
            t,
            (code) => labels.department[code] ?? code,
            audience,
            chosen && doctorName(chosen, locale),
          )}
        </p>
        <p>{t('broadcasts.confirmText', { count: count?.total ?? 0 })}</p>
        <div class="actions">
          <button type="button" class="primary" disabled={sending} onClick={() => void send()}>
            {sending ? t('broadcasts.sending') : t('broadcasts.confirmSend', { count: count?.total ?? 0 })}
          </button>
          <button type="button" class="secondary" disabled={sending} onClick={() => dialog.current?.close()}>
            {t('broadcasts.confirmBack')}
          </button>
        </div>
      </dialog>
    </div>
  );
}
