// Channel codecs: raw, UTF-8, bounded and wrapper codecs (Tendermint's Wrapper in TypeScript).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundedCodec, rawCodec, utf8Codec, wrapperCodec, type MessageCodec } from '../../../src/core/message-codec.ts';
import { ErrorCode, PeerwireError } from '../../../src/core/errors.ts';

type Inner = { kind: 'ping'; n: number } | { kind: 'text'; s: string };
interface Outer {
  ping?: number;
  text?: string;
}
const outerCodec: MessageCodec<Outer> = {
  encode: (m) => Buffer.from(JSON.stringify(m)),
  decode: (b) => JSON.parse(Buffer.from(b).toString()) as Outer,
};
const wrapped = wrapperCodec<Inner, Outer>({
  outer: outerCodec,
  wrap: (inner) => (inner.kind === 'ping' ? { ping: inner.n } : { text: inner.s }),
  unwrap: (outer) => {
    if (outer.ping !== undefined) return { kind: 'ping', n: outer.ping };
    if (outer.text !== undefined) return { kind: 'text', s: outer.text };
    throw new Error('empty wrapper');
  },
});

test('a wrapper codec lets services send and receive inner messages', () => {
  for (const m of [{ kind: 'ping', n: 3 }, { kind: 'text', s: 'hi' }] as Inner[]) {
    assert.deepEqual(wrapped.decode(wrapped.encode(m)), m);
  }
});

test('an empty wrapper decodes to a typed error', () => {
  assert.throws(() => wrapped.decode(Buffer.from('{}')), (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.Malformed);
});

test('raw and utf8 codecs round trip; bounded codec refuses oversize both ways', () => {
  const bytes = new Uint8Array([1, 2, 3]);
  assert.equal(rawCodec.decode(rawCodec.encode(bytes)), bytes);
  assert.equal(utf8Codec.decode(utf8Codec.encode('héllo')), 'héllo');
  const bounded = boundedCodec(rawCodec, 2);
  assert.throws(() => bounded.encode(bytes), (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.FrameTooLarge);
  assert.throws(() => bounded.decode(bytes), (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.FrameTooLarge);
});
