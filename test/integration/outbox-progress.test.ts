// The outbox's progress mark belongs to one batch: a conversation that starts over (its state
// expired, so its batches are numbered from 1 again) gets every message of its new batches,
// even though the mark a finished batch of the same number left behind is still stored.
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox, type ChannelSender, type OutboundBatch } from '../../src/conversation/outbox.ts';
import { SerialMailbox } from '../../src/conversation/serial-mailbox.ts';
import { InProcessQueue } from '../../src/jobs/in-process-queue.ts';
import { createLogger } from '../../src/logging.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';

describe('outbox progress', () => {
  const queues: InProcessQueue[] = [];
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((jobs) => jobs.close()));
  });

  it('resumes a batch after its own mark only, never after one a finished batch of the same number left', async () => {
    const kv = new MemoryStore();
    const jobs = new InProcessQueue();
    queues.push(jobs);
    const sent: string[] = [];
    const sender: ChannelSender = {
      async deliver(batch, alreadySent, markSent) {
        for (let index = alreadySent; index < batch.messages.length; index += 1) {
          sent.push(batch.messages[index]!.text);
          await markSent(index + 1);
        }
      },
    };
    const outbox = new Outbox(kv, jobs, { web: sender }, createLogger('silent'));
    const inbox = new SerialMailbox(kv, { name: 'inbox', lockTtlMs: 30_000, itemTtlMs: 60_000 });
    /** One conversation step whose commit hands `batch` to the outbox, as the engine's does. */
    const step = async (batch: OutboundBatch, event: string) => {
      const token = SerialMailbox.token();
      await inbox.push('web:u1', event, { claim: { token } });
      const outboxToken = SerialMailbox.token();
      const next = await kv.mailboxNext(inbox.keys('web:u1'), token, 30_000, event, {
        forward: outbox.forward(batch, outboxToken),
      });
      outbox.deliverClaimed(batch, outboxToken, next.forwarded);
      await outbox.idle();
    };
    const batch = (texts: string[]): OutboundBatch => ({
      channel: 'web',
      channelUserId: 'u1',
      seq: 1,
      messages: texts.map((text) => ({ text })),
      locale: 'en',
    });
    await step(batch(['first: call 115', 'first: do you agree?']), 'e1');
    // The conversation starts over and numbers its batches from 1 again.
    await step(batch(['again: call 115', 'again: do you agree?']), 'e2');
    expect(sent).toEqual([
      'first: call 115',
      'first: do you agree?',
      'again: call 115',
      'again: do you agree?',
    ]);
  });
});
