// Staff sign-in: email and password; one answer for every wrong pair.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Api } from '../../lib/api.ts';
import type { Translate } from '../../lib/i18n.ts';
import type { ConsoleBoot } from '../context.ts';
import { LanguageSelect } from './shared.tsx';

export function SignIn(props: {
  api: Api;
  t: Translate;
  boot: ConsoleBoot;
  message?: string;
  onSignedIn: () => void;
}) {
  const { api, t, boot } = props;
  const [error, setError] = useState(props.message ?? '');
  const email = useRef<HTMLInputElement>(null);
  const password = useRef<HTMLInputElement>(null);
  useEffect(() => email.current?.focus(), []);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError('');
    try {
      api.csrf = (await api.get<{ csrfToken: string }>('/console/api/csrf')).csrfToken;
      await api.post('/console/api/sign-in', {
        email: email.current?.value ?? '',
        password: password.current?.value ?? '',
      });
      props.onSignedIn();
    } catch (caught) {
      const status = caught instanceof ApiError ? caught.status : 0;
      setError(
        status === 429
          ? t('signIn.throttled')
          : status === 401
            ? t('signIn.wrong')
            : caught instanceof Error
              ? caught.message
              : String(caught),
      );
    }
  };
  return (
    <main>
      <form class="card login" onSubmit={(event) => void submit(event)}>
        <div class="login-head">
          <h1>{t('signIn.title')}</h1>
          <LanguageSelect boot={boot} locale={boot.locale} t={t} />
        </div>
        <p class="muted">{boot.hospitalName}</p>
        <label for="email">{t('signIn.email')}</label>
        <input id="email" ref={email} type="email" autocomplete="username" required />
        <label for="password">{t('signIn.password')}</label>
        <input id="password" ref={password} type="password" autocomplete="current-password" required />
        <div class="row">
          <button class="primary" type="submit">
            {t('signIn.submit')}
          </button>
        </div>
        <p class="error" role="alert">
          {error}
        </p>
      </form>
    </main>
  );
}
