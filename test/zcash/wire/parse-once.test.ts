// Zcash inbound messages are parsed once, and a body gathered from several reads is copied once: the
// frame decoder joins it, when read, behind room for its command (Frame.envelope), the connection hands that
// buffer to the router as the envelope, and the channel codec returns the message the connection
// already decoded for those very bytes (a fresh copy of the same bytes is parsed as before).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeBlock } from '../../../src/zcash/chain/block.ts';
import { hashToDisplayHex } from '../../../src/zcash/encoding/hashes.ts';
import { COMMAND_LENGTH, HEADER_LENGTH } from '../../../src/zcash/encoding/constants.ts';
import { ZcashChannel, zcashMessageCodec } from '../../../src/zcash/connection/channels.ts';
import { FrameDecoder } from '../../../src/zcash/wire/frame-decoder.ts';
import { ZCASH_MAINNET } from '../../../src/zcash/params/network-params.ts';
import { encodeMessage } from '../../../src/zcash/wire/codec.ts';
import { handshakeWith, makePair } from './connection-harness.ts';

const BLOCK = decodeBlock(Buffer.from(readFileSync('test/vectors/zcash/blocks/main-0-000-001.hex', 'utf8').trim(), 'hex'));

describe('Zcash inbound: parsed once, joined once', () => {
  it('a body split across reads is joined behind its command; a contiguous one has no envelope', () => {
    const frame = encodeMessage({ command: 'block', block: BLOCK }, { magic: ZCASH_MAINNET.magic, protocolVersion: 170_100, maxBodyLength: 2_000_000 });
    const decoder = new FrameDecoder({ magic: ZCASH_MAINNET.magic, maxBodyLength: 2_000_000 });
    decoder.push(frame.subarray(0, 100));
    assert.equal(decoder.next(), undefined);
    decoder.push(frame.subarray(100, 900));
    decoder.push(frame.subarray(900));
    const split = decoder.next()!;
    const envelope = split.envelope!;
    assert.equal(envelope.buffer, split.body.buffer, 'one buffer');
    assert.equal(envelope.byteOffset + COMMAND_LENGTH, split.body.byteOffset);
    assert.deepEqual(Buffer.from(envelope.subarray(0, COMMAND_LENGTH)), Buffer.from('block\0\0\0\0\0\0\0', 'latin1'));
    assert.deepEqual(Buffer.from(split.body), Buffer.from(frame.subarray(HEADER_LENGTH)));
    decoder.push(frame);
    const whole = decoder.next()!;
    assert.equal(whole.envelope, undefined);
    assert.equal(whole.body.buffer, frame.buffer, 'a view of the read, no copy');
  });

  it('the router gets the joined buffer, and the channel codec returns the connection’s message', async () => {
    const pair = await makePair();
    try {
      await handshakeWith(pair);
      const frame = pair.raw.codec.encode({ command: 'block', block: BLOCK });
      pair.raw.sendRaw(frame.subarray(0, 500)); // two reads: the body is joined
      pair.raw.sendRaw(frame.subarray(500));
      const next = await pair.conn[Symbol.asyncIterator]().next();
      assert.equal(next.done, false);
      const { channelId, bytes } = next.value as { channelId: number; bytes: Uint8Array };
      assert.equal(channelId, ZcashChannel.Blocks);
      const first = zcashMessageCodec.decode(bytes);
      assert.equal(zcashMessageCodec.decode(bytes), first, 'not parsed again');
      assert.ok(first.command === 'block');
      assert.equal(first.block.bytes.buffer, bytes.buffer, 'the block is a view of the delivered envelope');
      assert.equal(hashToDisplayHex(first.block.hash), hashToDisplayHex(BLOCK.hash));
      const copy = zcashMessageCodec.decode(Uint8Array.from(bytes));
      assert.notEqual(copy, first, 'other bytes are parsed');
      assert.ok(copy.command === 'block' && hashToDisplayHex(copy.block.hash) === hashToDisplayHex(BLOCK.hash));
    } finally {
      await pair.close();
    }
  });
});
