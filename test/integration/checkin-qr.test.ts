// GET /checkin/<token>/qr.png: the image the chat sends is a QR code that a phone camera reads
// as the signed check-in link, and nothing is drawn for a token we did not sign, one for another
// purpose, or one past its day.
import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { registerCheckInQr } from '../../src/features/queue/qr-route.ts';
import { createLogger } from '../../src/logging.ts';
import { CheckInTokens } from '../../src/security/checkin-token.ts';
import { buildServer } from '../../src/server/app.ts';
import { createMetricsRegistry } from '../../src/server/metrics.ts';

const BASE = 'https://frontdoor.example-hospital.org';
// 2026-11-24 10:00 in Hanoi.
const clock = new ManualClock(Date.UTC(2026, 10, 24, 3, 0));
const tokens = new CheckInTokens(Buffer.alloc(32, 9), BASE, 'Asia/Ho_Chi_Minh', clock);
let app: Awaited<ReturnType<typeof buildServer>>;

beforeAll(async () => {
  app = await buildServer({
    logger: createLogger('silent'),
    metrics: createMetricsRegistry(),
    readiness: [],
    features: [(server) => registerCheckInQr(server, { tokens, publicBaseUrl: BASE })],
  });
});
afterAll(() => app?.close());

const tokenOf = (url: string) => url.slice(`${BASE}/checkin/`.length);

describe('the check-in QR image', () => {
  it('is a PNG whose code reads as the appointment’s signed check-in link', async () => {
    // A FHIR id as long as the spec allows (64): the token is well past Fastify's default path part.
    const link = tokens.checkInUrl('a'.repeat(64), Date.UTC(2026, 10, 24, 8, 0));
    expect(tokenOf(link).length).toBeGreaterThan(100);
    const response = await app.inject(`/checkin/${tokenOf(link)}/qr.png`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    const png = PNG.sync.read(response.rawPayload);
    expect(png.width).toBeGreaterThanOrEqual(400);
    // jsqr is CommonJS: its typed default export is the module's `default`.
    const decoded = jsqr.default(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(link);
  });

  it.each([
    ['a forged signature', () => `${tokenOf(tokens.checkInUrl('ap-42', clock.now())).split('.')[0]}.AAAA`],
    ['a live-ticket token', () => tokens.ticketUrl('t-1').split('/ticket/')[1]!],
    ['nonsense', () => 'not-a-token'],
    ['a very long value', () => 'a'.repeat(400)],
  ])('answers 404 and draws nothing for %s', async (_what, token) => {
    const response = await app.inject(`/checkin/${token()}/qr.png`);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'not_found' });
  });

  it('stops at the end of the appointment’s day', async () => {
    const link = tokens.checkInUrl('ap-43', Date.UTC(2026, 10, 24, 8, 0));
    expect((await app.inject(`/checkin/${tokenOf(link)}/qr.png`)).statusCode).toBe(200);
    // Midnight in Hanoi: 17:00 UTC.
    clock.advance(Date.UTC(2026, 10, 24, 17, 0) - clock.now());
    expect((await app.inject(`/checkin/${tokenOf(link)}/qr.png`)).statusCode).toBe(404);
  });
});
