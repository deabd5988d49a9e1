// LINE end to end: signed webhooks built the way LINE signs them, a local Messaging API fake,
// replies while the reply token is valid and pushes (with a retry key) otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { line, lineSignature, type LineFake } from '../support/fakes/line-fake.ts';
import { startWithLine, type TestInstance } from '../support/instance.ts';

describe('LINE webhook', () => {
  let fake: LineFake;
  let instance: TestInstance;

  beforeAll(async () => {
    ({ fake, instance } = await startWithLine());
  });
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
  });

  function post(body: string, signature: string | null = lineSignature(body)) {
    return fetch(`${instance.frontdoor.url}/webhooks/line`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        ...(signature ? { 'x-line-signature': signature } : {}),
      },
      body,
    });
  }

  async function send(events: object[], expectedTexts: number) {
    const response = await post(line.body(events));
    expect(response.status).toBe(200);
    return fake.waitForTexts(expectedTexts);
  }

  it('onboards a Thai patient in Thai from their LINE profile, replying with the free reply token', async () => {
    const user = 'U1000000000000000000000000000000a';
    fake.languages.set(user, 'th');
    const before = fake.sends().length;
    await send([line.follow(user, 'rt-follow-1')], 1);
    const [greeting] = fake.sends().slice(before);
    expect(greeting).toMatchObject({ kind: 'reply', replyToken: 'rt-follow-1' });
    // Greeting and consent question in one message: one reply, the answers as quick replies.
    expect(greeting!.messages).toHaveLength(1);
    expect(greeting!.messages[0]!.text).toMatch(
      /^สวัสดีค่ะ ฉันคือผู้ช่วยของFrontdoor Demo Hospital ฉันช่วยคุณเตรียมตัวมาโรงพยาบาลได้ที่นี่เลย\n\nก่อนเริ่ม:/,
    );
    expect(greeting!.messages[0]!.text).toContain(
      'ประกาศความเป็นส่วนตัว: http://localhost:3000/privacy?lang=th',
    );
    expect(greeting!.messages[0]!.quickReply!.items.map((item) => item.action)).toEqual([
      { type: 'postback', label: 'ฉันยินยอม', data: 'onboarding.consent|yes', displayText: 'ฉันยินยอม' },
      { type: 'postback', label: 'ฉันไม่ยินยอม', data: 'onboarding.consent|no', displayText: 'ฉันไม่ยินยอม' },
      { type: 'postback', label: 'ภาษา', data: 'menu|language', displayText: 'ภาษา' },
    ]);

    await send([line.postback(user, 'onboarding.consent|yes')], 2);
    await send([line.text(user, 'สมชาย ใจดี')], 3);
    let texts = await send([line.text(user, '14/03/2528')], 4);
    expect(texts[3]).toBe('เบอร์โทรศัพท์มือถือของคุณคืออะไร โปรดพิมพ์เบอร์');
    texts = await send([line.text(user, '081 234 5678')], 5);
    expect(texts[4]).toBe('ขอบคุณค่ะ คุณสมชาย ใจดี ลงทะเบียนเรียบร้อยแล้ว\n\nคุณต้องการทำอะไร');

    const patient = await instance.frontdoor.database.prisma.channelIdentity.findUniqueOrThrow({
      where: { channel_channelUserId: { channel: 'line', channelUserId: user } },
      include: { patient: true },
    });
    // The Buddhist-era year 2528 is 1985; the Thai mobile number is stored in E.164.
    expect(patient.patient).toMatchObject({
      birthDate: '1985-03-14',
      phone: '+66812345678',
      country: 'TH',
      locale: 'th',
    });
  }, 60_000);

  it('pushes with an X-Line-Retry-Key when the reply token can no longer be used', async () => {
    const user = 'U2000000000000000000000000000000b';
    const before = fake.sends().length;
    await send([line.text(user, 'hello', 'expired-token-1')], fake.texts().length + 1);
    const sends = fake.sends().slice(before);
    expect(sends.every((s) => s.kind === 'push' && s.to === user)).toBe(true);
    expect(sends[0]!.retryKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    const attempted = fake.http.requests.filter(
      (r) => r.path === '/v2/bot/message/reply' && r.status === 400,
    );
    expect(attempted.length).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('acts once on a redelivered event and answers stickers and unknown postbacks politely', async () => {
    const user = 'U3000000000000000000000000000000c';
    const first = line.text(user, 'hi', 'rt-dup-1');
    const count = fake.texts().length;
    await send([first], count + 1);
    const again = await post(line.body([{ ...first, deliveryContext: { isRedelivery: true } }]));
    expect(await again.json()).toEqual({ ok: true, accepted: 0 });
    let texts = await send([line.sticker(user)], count + 2);
    expect(texts[count + 1]).toMatch(/^I can only read text and buttons for now\.\n\nBefore we start/);
    texts = await send([line.postback(user, 'nonsense')], count + 3);
    expect(texts[count + 2]).toMatch(
      /^That button belongs to an earlier message\. Here is where we are now:\n\nBefore we start/,
    );
    // A later message is answered after anything queued before it: a second answer to any of
    // the above would come before this one.
    texts = await send([line.sticker(user)], count + 4);
    expect(texts).toHaveLength(count + 4);
    expect(texts[count + 3]).toMatch(/^I can only read text and buttons for now\./);
  }, 30_000);

  describe('refuses bad requests without storing anything', () => {
    const user = 'U4000000000000000000000000000000d';

    it('401 for a missing or wrong signature', async () => {
      const body = line.body([line.text(user, 'hi')]);
      const missing = await post(body, null);
      expect(missing.status).toBe(401);
      const wrong = await post(body, lineSignature(body, 'another-secret'));
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({
        error: 'bad_signature',
        message: 'bad or missing X-Line-Signature',
      });
      // A body changed after signing fails too.
      const tampered = await post(body.replace('hi', 'ho'), lineSignature(body));
      expect(tampered.status).toBe(401);
      expect(await instance.frontdoor.kv.get(`conv:{line:${user}}`)).toBeUndefined();
    });

    it('400 for malformed JSON even when correctly signed', async () => {
      const response = await post('{"events": [');
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'malformed_json',
        message: 'request body is not valid JSON',
      });
      const noEvents = await post('{"destination":"U"}');
      expect(noEvents.status).toBe(400);
    });

    it('413 for an oversized body', async () => {
      const body = line.body([line.text(user, 'x'.repeat(300 * 1024))]);
      expect((await post(body)).status).toBe(413);
    });
  });
});
