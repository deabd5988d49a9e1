// The waiting-room display: who is called to which room (the newest large, with a chime), who
// is next, and the wait — in the hospital's language with a second language line beneath.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { QueueBoard } from '../../../src/domain/queue.ts';
import type { DisplayBoot } from '../../../src/features/queue/display-page.ts';
import { translator, type Texts, type Translate } from '../lib/i18n.ts';
import { useLiveValue } from '../lib/live-source.ts';
import { chime, chimeReady, unlockChime } from './chime.ts';

/** Next tickets shown: as many as stay readable from across the room. */
const NEXT_SHOWN = 8;
/** Earlier calls shown under the newest. */
const EARLIER_SHOWN = 4;

const callKey = (call: QueueBoard['calling'][number]) => `${call.label}:${call.calledAt}:${call.recalls}`;

/** A text in each of the display's languages, the first large, the second beneath. */
/** Rooms past a few characters (up to 12: src/domain/queue-room.ts) get smaller type to fit their tile. */
const roomClass = (room: string) => ([...room].length > 6 ? 'room long' : 'room');

function Both(props: {
  ts: Translate[];
  k: string;
  values?: Record<string, string | number>;
  class?: string;
}) {
  return (
    <span class={`both ${props.class ?? ''}`}>
      {props.ts.map((t, index) => (
        <span key={index} class={index === 0 ? 'l1' : 'l2'}>
          {t(props.k, props.values)}
        </span>
      ))}
    </span>
  );
}

function useClock(timeZone: string, locale: string): string {
  const format = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit' });
  const [now, setNow] = useState(() => format.format(new Date()));
  useEffect(() => {
    const timer = setInterval(() => setNow(format.format(new Date())), 10_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function Display(props: { boot: DisplayBoot }) {
  const { boot } = props;
  const ts = boot.languages.map((language) => translator(language.texts as Texts));
  const { value: board, live } = useLiveValue<QueueBoard | undefined>(
    `/display/${boot.department}/stream`,
    'board',
    undefined,
  );
  const seen = useRef<Set<string> | undefined>(undefined);
  const [flash, setFlash] = useState<string | undefined>();
  const [sound, setSound] = useState(() => chimeReady());

  // A call not seen before (a new one, or a recall) chimes and flashes; the first board does not.
  useEffect(() => {
    if (!board) return;
    const keys = new Set(board.calling.map(callKey));
    const fresh = seen.current && board.calling.find((call) => !seen.current!.has(callKey(call)));
    seen.current = keys;
    if (!fresh) return;
    chime();
    setFlash(callKey(fresh));
    const timer = setTimeout(() => setFlash(undefined), 8000);
    return () => clearTimeout(timer);
  }, [board]);

  const clock = useClock(boot.timeZone, boot.languages[0]!.locale);
  const [latest, ...earlier] = board?.calling ?? [];
  const next = board?.waiting.slice(0, NEXT_SHOWN) ?? [];
  return (
    <div class="display" data-live={live ? 'on' : 'off'}>
      <header>
        <div class="title">
          {boot.languages.map((language, index) => (
            <span key={language.locale} class={index === 0 ? 'l1' : 'l2'}>
              {language.department}
            </span>
          ))}
        </div>
        <div class="meta">
          <span class="hospital">{boot.hospitalName}</span>
          <span class="clock">{clock}</span>
        </div>
      </header>
      <main>
        <section class="calling" aria-labelledby="h-calling">
          <h2 id="h-calling">
            <Both ts={ts} k="nowCalling" />
          </h2>
          {latest ? (
            <div class={flash === callKey(latest) ? 'latest flash' : 'latest'} aria-live="assertive">
              <span class="ticket" data-label={latest.label}>
                {latest.label}
              </span>
              <span class="where">
                <span class="arrow" aria-hidden="true">
                  →
                </span>
                <Both ts={ts} k="room" values={{ room: latest.room }} class={roomClass(latest.room)} />
              </span>
            </div>
          ) : (
            <p class="nobody">
              <Both ts={ts} k="nobody" />
            </p>
          )}
          {earlier.length > 0 && (
            <ol class="earlier">
              {earlier.slice(0, EARLIER_SHOWN).map((call) => (
                <li key={callKey(call)} class={flash === callKey(call) ? 'flash' : undefined}>
                  <span class="ticket">{call.label}</span>
                  <span class={roomClass(call.room)}>{ts[0]!('room', { room: call.room })}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
        <section class="next" aria-labelledby="h-next">
          <h2 id="h-next">
            <Both ts={ts} k="next" />
          </h2>
          {next.length ? (
            <ol>
              {next.map((ticket) => (
                <li key={ticket.label}>
                  <span class="ticket">{ticket.label}</span>
                  {ticket.etaMinutes > 0 && (
                    <span class="eta">{ts[0]!('eta', { minutes: ticket.etaMinutes })}</span>
                  )}
                </li>
              ))}
            </ol>
          ) : (
            <p class="nobody">
              <Both ts={ts} k="noneWaiting" />
            </p>
          )}
          {board && board.waiting.length > 0 && (
            <p class="count">
              {ts.map((t, index) => (
                <span key={index} class={index === 0 ? 'l1' : 'l2'}>
                  {t('waiting', { n: board.waiting.length })}
                </span>
              ))}
            </p>
          )}
        </section>
      </main>
      <footer>
        <Both ts={ts} k="watch" />
        {!live && <span class="offline">{ts[0]!('offline')}</span>}
        {!sound && (
          <button
            type="button"
            class="sound"
            onClick={() => void unlockChime().then(() => setSound(chimeReady()))}
          >
            {ts[0]!('soundOn')}
          </button>
        )}
      </footer>
    </div>
  );
}
