// GET /checkin/<token>/qr.png: the check-in link as a QR code, the image the chat sends with a
// booking's confirmation (Telegram and LINE fetch it by URL; the web chat shows it inline).
// Public like the link itself, which is signed and expires; an unknown or expired token is a
// 404 and nothing is drawn. The image holds only the link, never the appointment's details.
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import type { CheckInTokens } from '../../security/checkin-token.ts';
import { errors } from '../../server/errors.ts';

/** Large enough for a phone camera across a reception desk; LINE wants at most 1 MB, 10 MB for Telegram. */
const QR_WIDTH = 480;

export function registerCheckInQr(
  app: FastifyInstance,
  { tokens, publicBaseUrl }: { tokens: CheckInTokens; publicBaseUrl: string },
): void {
  app.get<{ Params: { token: string } }>('/checkin/:token/qr.png', async (request, reply) => {
    const { token } = request.params;
    if (tokens.verify('checkin', token) === undefined) throw errors.notFound();
    const png = await QRCode.toBuffer(`${publicBaseUrl}/checkin/${token}`, {
      type: 'png',
      width: QR_WIDTH,
      margin: 2,
      // Medium correction: survives a scratched phone screen without a denser code.
      errorCorrectionLevel: 'M',
    });
    return reply
      .type('image/png')
      .header('cache-control', 'private, max-age=3600')
      .header('x-robots-tag', 'noindex')
      .send(png);
  });
}
