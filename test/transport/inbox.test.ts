// The shared receive buffer: pauses its link past the byte budget and resumes below half of it; an end
// lets the consumer drain before the reason is thrown; an abort discards at once.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { Inbox, INBOX_MESSAGE_OVERHEAD_BYTES } from '../../src/transport/inbox.ts';

function fakeLink(): { calls: string[]; pause(): void; resume(): void } {
  const calls: string[] = [];
  return { calls, pause: () => calls.push('pause'), resume: () => calls.push('resume') };
}

const message = (size: number, channelId = 1): { channelId: number; bytes: Buffer } => ({
  channelId,
  bytes: Buffer.alloc(size),
});

describe('inbox', () => {
  it('pauses the link past the budget and resumes below half of it', async () => {
    const link = fakeLink();
    const unit = 1000 - INBOX_MESSAGE_OVERHEAD_BYTES;
    const inbox = new Inbox(link, { budgetBytes: 4000 });
    for (let i = 0; i < 4; i++) inbox.push(message(unit));
    assert.deepEqual(link.calls, []);
    inbox.push(message(unit));
    assert.deepEqual(link.calls, ['pause']);
    inbox.push(message(unit));
    assert.deepEqual(link.calls, ['pause']);
    for (let i = 0; i < 3; i++) await inbox.next();
    assert.deepEqual(link.calls, ['pause']);
    await inbox.next();
    assert.deepEqual(link.calls, ['pause', 'resume']);
    assert.equal(inbox.length, 2);
  });

  it('charges an overhead per message, so floods of empty messages pause too', () => {
    const link = fakeLink();
    const inbox = new Inbox(link, { budgetBytes: 10 * INBOX_MESSAGE_OVERHEAD_BYTES });
    for (let i = 0; i < 11; i++) inbox.push(message(0));
    assert.deepEqual(link.calls, ['pause']);
  });

  it('fails with ERR_QUEUE_FULL past the hard limit (a carrier that ignores pause)', () => {
    const inbox = new Inbox(fakeLink(), { budgetBytes: 1024, maxMessageBytes: 1024 });
    assert.throws(
      () => {
        for (let i = 0; i < 10_000; i++) inbox.push(message(1024));
      },
      (error) => error instanceof PeerwireError && error.code === ErrorCode.QueueFull,
    );
  });

  it('end(reason) drains what arrived, then throws the reason', async () => {
    const inbox = new Inbox(fakeLink());
    inbox.push(message(1, 1));
    inbox.push(message(2, 2));
    const reason = new PeerwireError(ErrorCode.Closed, 'remote closed');
    inbox.end(reason);
    inbox.push(message(3, 3));
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const m of inbox) seen.push(m.channelId);
      })(),
      (error) => error === reason,
    );
    assert.deepEqual(seen, [1, 2]);
  });

  it('end() without a reason ends the iteration quietly', async () => {
    const inbox = new Inbox(fakeLink());
    inbox.push(message(1));
    inbox.end();
    const seen = [];
    for await (const m of inbox) seen.push(m);
    assert.equal(seen.length, 1);
  });

  it('abort(reason) discards queued messages and wakes a waiting reader at once', async () => {
    const inbox = new Inbox(fakeLink());
    const waiting = inbox.next();
    const reason = new PeerwireError(ErrorCode.Aborted, 'local close');
    inbox.abort(reason);
    await assert.rejects(waiting, (error) => error === reason);
    const other = new Inbox(fakeLink());
    other.push(message(5));
    other.abort();
    assert.equal(await other.next(), undefined);
    assert.equal(other.length, 0);
  });

  it('wakes a reader waiting on an empty inbox with each push, in order; a break ends only that iterator', async () => {
    const inbox = new Inbox(fakeLink());
    const seen: number[] = [];
    const reading = (async () => {
      for await (const m of inbox) {
        seen.push(m.channelId);
        if (seen.length === 2) break;
      }
    })();
    for (const id of [1, 2, 3]) {
      await Promise.resolve();
      inbox.push(message(1, id));
    }
    await reading;
    assert.deepEqual(seen, [1, 2]);
    assert.equal((await inbox.next())?.channelId, 3);
    const again = inbox[Symbol.asyncIterator]();
    const pending = again.next();
    inbox.push(message(1, 4));
    const woken = await pending;
    assert.equal(woken.done, false);
    assert.equal(!woken.done ? woken.value.channelId : -1, 4);
    assert.deepEqual(await again.return?.(), { done: true, value: undefined });
    assert.deepEqual(await again.next(), { done: true, value: undefined });
  });

  it('hands a message straight to a waiting reader: nothing is queued or charged, and the wait is one promise job', async () => {
    const link = fakeLink();
    // A budget below one message: a queued message would pause the link.
    const inbox = new Inbox(link, { budgetBytes: 10 });
    const iterator = inbox[Symbol.asyncIterator]();
    const pending = iterator.next();
    let woken: number | undefined;
    void pending.then((r) => (woken = r.done === true ? -1 : r.value.channelId));
    inbox.push(message(100, 9));
    assert.equal(inbox.length, 0);
    assert.equal(inbox.bytes, 0);
    assert.deepEqual(link.calls, []);
    await Promise.resolve();
    assert.equal(woken, 9, 'the reader saw the message after one promise job');
    // With no reader waiting, messages queue (and pause the link) as before.
    inbox.push(message(100, 10));
    assert.equal(inbox.length, 1);
    assert.deepEqual(link.calls, ['pause']);
    assert.equal((await iterator.next()).done, false);
    assert.deepEqual(link.calls, ['pause', 'resume']);
  });

  it('readers waiting when the inbox ends see the reason once (the iterator then ends quietly), or the end', async () => {
    const inbox = new Inbox(fakeLink());
    const iterator = inbox[Symbol.asyncIterator]();
    const first = iterator.next();
    const second = inbox.next();
    const reason = new PeerwireError(ErrorCode.Closed, 'remote closed');
    inbox.end(reason);
    await assert.rejects(first, (error) => error === reason);
    await assert.rejects(second, (error) => error === reason);
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    await assert.rejects(inbox.next(), (error) => error === reason);
    const quiet = new Inbox(fakeLink());
    const waiting = quiet[Symbol.asyncIterator]().next();
    quiet.end();
    assert.deepEqual(await waiting, { done: true, value: undefined });
    assert.equal(await quiet.next(), undefined);
  });
});
