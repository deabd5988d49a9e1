// The console: sign-in, then views by hash route — inbox (#/), intake (#/intakes/<id>), queue
// boards (#/queues/<department>), the kiosk (#/kiosk), payments (#/payments), broadcasts
// (#/broadcasts), audit (#/audit) — for the roles that may see them.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { createApi } from '../lib/api.ts';
import { translator } from '../lib/i18n.ts';
import {
  ADMIN,
  BROADCASTS,
  CLINICAL,
  MONEY,
  SessionContext,
  can,
  useSession,
  type ConsoleBoot,
  type ConsoleLabels,
  type Session,
  type Staff,
} from './context.ts';
import { Audit } from './views/audit.tsx';
import { BroadcastsView } from './views/broadcasts.tsx';
import { Inbox } from './views/inbox.tsx';
import { Intake } from './views/intake.tsx';
import { Kiosk } from './views/kiosk.tsx';
import { QueueBoardView } from './views/queue.tsx';
import { QUEUE_CHECK_IN, QUEUE_READ, lastDepartment } from './views/queue-desk.ts';
import { Payments } from './views/payments.tsx';
import { Page } from './views/shared.tsx';
import { SignIn } from './views/sign-in.tsx';

interface Me {
  staff: Staff;
  csrfToken: string;
  locale: string;
  labels: ConsoleLabels;
}

const useHash = () => {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const follow = () => setHash(location.hash || '#/');
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return hash;
};

export function ConsoleApp(props: { boot: ConsoleBoot }) {
  const { boot } = props;
  const api = useMemo(createApi, []);
  const t = useMemo(() => translator(boot.texts), [boot]);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>();
  const hash = useHash();

  const start = async () => {
    try {
      const data = await api.get<Me>('/console/api/me');
      api.csrf = data.csrfToken;
      setFailure(undefined);
      setMe(data);
    } catch {
      setMe(null);
    }
  };
  useEffect(() => {
    api.onSignedOut = () => setMe(null);
    void start();
  }, []);
  useEffect(() => setFailure(undefined), [hash]);

  if (me === undefined)
    return (
      <main>
        <p class="muted">{t('loading')}</p>
      </main>
    );
  if (me === null) return <SignIn api={api} t={t} boot={boot} onSignedIn={() => void start()} />;

  const session: Session = {
    api,
    me: me.staff,
    labels: me.labels,
    t,
    locale: boot.locale,
    boot,
    signOut: () => {
      api
        .post('/console/api/sign-out')
        .catch(() => undefined)
        .finally(() => setMe(null));
    },
  };
  const onError = (error: unknown) => setFailure(error instanceof Error ? error.message : String(error));
  return (
    <SessionContext.Provider value={session}>
      {failure ? (
        <Page active="">
          <p class="error" role="alert">
            {failure}
          </p>
        </Page>
      ) : (
        <View hash={hash} me={me.staff} onError={onError} />
      )}
    </SessionContext.Provider>
  );
}

function View(props: { hash: string; me: Staff; onError: (error: unknown) => void }) {
  const { hash, me, onError } = props;
  const intake = /^#\/intakes\/([0-9a-f-]{36})$/.exec(hash);
  if (intake && can(me, CLINICAL)) return <Intake key={intake[1]} id={intake[1]!} onError={onError} />;
  if (hash === '#/audit' && can(me, ADMIN)) return <Audit onError={onError} />;
  if (hash === '#/payments' && can(me, MONEY)) return <Payments onError={onError} />;
  if (hash === '#/broadcasts' && can(me, BROADCASTS)) return <BroadcastsView onError={onError} />;
  const queue = /^#\/queues(?:\/([a-z_]+))?$/.exec(hash);
  if (queue && can(me, QUEUE_READ)) {
    const department = queue[1] ?? (lastDepartment() || 'general_medicine');
    return <QueueBoardView key={department} department={department} onError={onError} />;
  }
  if (hash === '#/kiosk' && can(me, QUEUE_CHECK_IN)) return <Kiosk />;
  if (can(me, CLINICAL)) return <Inbox onError={onError} />;
  if (can(me, ['operator'])) return <Payments onError={onError} />;
  if (can(me, ADMIN)) return <Audit onError={onError} />;
  return <Welcome />;
}

function Welcome() {
  const { t } = useSession();
  return (
    <Page active="">
      <div class="card">
        <h1>{t('welcome.title')}</h1>
        <p>{t('welcome.text')}</p>
      </div>
    </Page>
  );
}
