import { describe, expect, it } from 'vitest';
import { ConfigError, isProduction, loadConfig } from '../../src/config.ts';

const KEY = 'k1.aesgcm256.NS_TmtIbY0t9sQXIsZDfif29X36VoIl8t_-sXv5KsLQ=';
const OLD_KEY = 'k1.aesgcm256.e62RjdJBBJhfI9gXQImXQF8l6wpVlJuTrOT7qHaqPe8=';

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on embedded defaults with no settings at all', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.TELEGRAM_API_ROOT).toBe('https://api.telegram.org');
    expect(config.TELEGRAM_MODE).toBe('webhook');
    expect(config.LINE_API_BASE_URL).toBe('https://api.line.me');
    expect(config.TELEGRAM_BROADCAST_RATE).toBe(30);
    expect(config.LINE_MULTICAST_RATE).toBe(200);
    expect(config.STRIPE_API_BASE_URL).toBe('https://api.stripe.com');
    expect(config.PUBLIC_BASE_URL).toBe('http://localhost:3000');
  });

  it('takes the hospital time zone from the country unless set', () => {
    expect(loadConfig({}).HOSPITAL_TIME_ZONE).toBe('Asia/Ho_Chi_Minh');
    expect(loadConfig({ HOSPITAL_COUNTRY: 'TH' }).HOSPITAL_TIME_ZONE).toBe('Asia/Bangkok');
    expect(loadConfig({ HOSPITAL_TIME_ZONE: 'Europe/Berlin' }).HOSPITAL_TIME_ZONE).toBe('Europe/Berlin');
    expect(() => loadConfig({ HOSPITAL_COUNTRY: 'KE' })).toThrow(
      /^Invalid setting HOSPITAL_TIME_ZONE: required/,
    );
  });

  it('listens on loopback by default and trusts no proxy (production means production)', () => {
    const config = loadConfig({});
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.TRUST_PROXY).toBe(false);
    expect(config.METRICS_TOKEN).toBeUndefined();
  });

  it('reads TRUST_PROXY as Fastify takes it: a switch, a hop count, or addresses and ranges', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,loopback,::1' }).TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'loopback',
      '::1',
    ]);
  });

  it('requires FIELD_ENCRYPTION_KEY with NODE_ENV=production, even on the embedded database', () => {
    const error = failure({ NODE_ENV: 'production', CONSULTATION_FEES: '0' });
    expect(error.variable).toBe('FIELD_ENCRYPTION_KEY');
    expect(error.message).toMatch(/^Invalid setting FIELD_ENCRYPTION_KEY: required when NODE_ENV=production/);
    expect(error.message).not.toContain('\n');
    expect(
      loadConfig({ NODE_ENV: 'production', CONSULTATION_FEES: '0', FIELD_ENCRYPTION_KEY: KEY })
        .FIELD_ENCRYPTION_KEY,
    ).toBe(KEY);
  });

  it.each(['production', 'Production', ' PRODUCTION', 'production\n'])(
    'takes NODE_ENV=%j for production everywhere it matters (one test of it: isProduction)',
    (value) => {
      expect(isProduction({ NODE_ENV: value })).toBe(true);
      expect(failure({ NODE_ENV: value, CONSULTATION_FEES: '0' }).variable).toBe('FIELD_ENCRYPTION_KEY');
      expect(failure({ NODE_ENV: value, FIELD_ENCRYPTION_KEY: KEY }).variable).toBe('STRIPE_SECRET_KEY');
    },
  );

  it.each([undefined, '', 'development', 'prod', 'test'])('takes NODE_ENV=%j for not production', (value) => {
    expect(isProduction({ NODE_ENV: value })).toBe(false);
    expect(() => loadConfig({ NODE_ENV: value })).not.toThrow();
  });

  it('requires the field encryption key with an external database', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgresql://db/frontdoor' })).toThrow(
      /^Invalid setting FIELD_ENCRYPTION_KEY: required when DATABASE_URL is set/,
    );
  });

  it('reads every public setting', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://u:p@db:5432/frontdoor',
      REDIS_URL: 'redis://cache:6379/1',
      TELEGRAM_BOT_TOKEN: '123456:ABCdefGhIJKlmNoPQRstuVWXyz-123',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9001',
      TELEGRAM_MODE: 'polling',
      LINE_CHANNEL_SECRET: 'line-secret-1234',
      LINE_CHANNEL_ACCESS_TOKEN: 'line-token-5678',
      LINE_API_BASE_URL: 'http://127.0.0.1:9002',
      STRIPE_SECRET_KEY: 'sk_test_abc123',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc123',
      STRIPE_API_BASE_URL: 'http://127.0.0.1:9003',
      HOSPITAL_FHIR_BASE_URL: 'https://his.example.org/fhir/R4',
      PUBLIC_BASE_URL: 'https://frontdoor.example.org/',
      FIELD_ENCRYPTION_KEY: KEY,
      FIELD_DECRYPTION_KEYS: `${OLD_KEY}, ${KEY}`,
      STAFF_MAX_FAILED_LOGINS: '3',
      STAFF_LOCKOUT_MINUTES: '30',
      HOST: '0.0.0.0',
      TRUST_PROXY: '1',
      METRICS_TOKEN: 'prometheus-scrape-token-0123',
    });
    expect([config.HOST, config.TRUST_PROXY, config.METRICS_TOKEN]).toEqual([
      '0.0.0.0',
      1,
      'prometheus-scrape-token-0123',
    ]);
    expect(config.PORT).toBe(8080);
    expect(config.FIELD_DECRYPTION_KEYS).toEqual([OLD_KEY, KEY]);
    expect([config.STAFF_MAX_FAILED_LOGINS, config.STAFF_LOCKOUT_MINUTES]).toEqual([3, 30]);
    expect(config.TELEGRAM_MODE).toBe('polling');
    expect(config.HOSPITAL_FHIR_BASE_URL).toBe('https://his.example.org/fhir/R4');
    expect(config.PUBLIC_BASE_URL).toBe('https://frontdoor.example.org');
  });

  it.each([
    ['DATABASE_URL', 'not-a-url'],
    ['DATABASE_URL', 'mysql://db/frontdoor'],
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '3000.5'],
    ['REDIS_URL', 'localhost:6379'],
    ['TELEGRAM_MODE', 'push'],
    ['TELEGRAM_API_ROOT', 'ftp://telegram'],
    ['TELEGRAM_BOT_TOKEN', 'not a token'],
    ['TELEGRAM_WEBHOOK_SECRET', 'has spaces in it'],
    ['STRIPE_SECRET_KEY', 'pk_test_public'],
    ['HOSPITAL_FHIR_BASE_URL', 'his.local'],
    ['PUBLIC_BASE_URL', 'example.org'],
    ['REDIS_KEY_PREFIX', 'has:colon'],
    ['HOSPITAL_COUNTRY', 'vn'],
    ['EMERGENCY_NUMBERS', 'VN:115'],
    ['SESSION_SECRET', 'short'],
    ['FIELD_ENCRYPTION_KEY', 'k1.aesgcm256.tooshort='],
    ['HOSPITAL_TIME_ZONE', 'Mars/Olympus_Mons'],
    ['FIELD_DECRYPTION_KEYS', 'not-a-key'],
    ['STAFF_MAX_FAILED_LOGINS', '0'],
    ['STAFF_LOCKOUT_MINUTES', 'soon'],
    ['TELEGRAM_MAX_PER_SECOND', '0'],
    ['TELEGRAM_BROADCAST_RATE', '0'],
    ['LINE_MULTICAST_RATE', 'fast'],
    ['TRUST_PROXY', 'yes'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', 'proxy.local'],
    ['METRICS_TOKEN', 'short'],
  ])('names %s when it is %j', (variable, value) => {
    const error = failure({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^Invalid setting ${variable}: expected `));
    expect(error.message).not.toContain('\n');
  });

  it('never echoes a secret value in the error', () => {
    const error = failure({ STRIPE_SECRET_KEY: 'sk_wrong_SUPERSECRET' });
    expect(error.message).not.toContain('SUPERSECRET');
  });

  it('requires a webhook secret when Telegram runs by webhook', () => {
    const error = failure({ TELEGRAM_BOT_TOKEN: '123456:ABCdefGhIJKlmNoPQRstuVWXyz-123' });
    expect(error.variable).toBe('TELEGRAM_WEBHOOK_SECRET');
    expect(() =>
      loadConfig({ TELEGRAM_BOT_TOKEN: '123456:ABCdefGhIJKlmNoPQRstuVWXyz-123', TELEGRAM_MODE: 'polling' }),
    ).not.toThrow();
  });

  it('requires settings that only work together', () => {
    expect(failure({ LINE_CHANNEL_SECRET: 'line-secret-1234' }).variable).toBe('LINE_CHANNEL_ACCESS_TOKEN');
    expect(failure({ STRIPE_WEBHOOK_SECRET: 'whsec_abc' }).variable).toBe('STRIPE_SECRET_KEY');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).PORT).toBe(3000);
  });
});
