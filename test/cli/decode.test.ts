// `peerwire decode` reproduces the vectors under test/vectors/: every CometBFT packet, PEX and reactor
// vector decodes to its documented kind and fields, every valid Zcash frame decodes and every invalid
// one is refused with one line. The dissector is checked in-process over the whole set; a few runs of
// the real command check the wiring (argument, stdin, exit codes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PeerwireError } from '../../src/core/errors.ts';
import { dissectCometbft, dissectZcash } from '../../src/cli/dissector.ts';
import { toJson } from '../../src/cli/options.ts';
import { runCli } from './run-cli.ts';

const vectors = (path: string): unknown => JSON.parse(readFileSync(fileURLToPath(new URL(`../vectors/${path}`, import.meta.url)), 'utf8'));
const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
const json = (value: unknown): Record<string, unknown> => JSON.parse(toJson(value)) as Record<string, unknown>;

interface Case {
  name: string;
  hex?: string;
  wire_hex?: string;
  frame?: string;
  expect?: string;
  decoded?: unknown;
}
const cometbft = vectors('cometbft/protobuf_message_vectors.json') as {
  mconn_packets: { cases: Case[] };
  pex: { cases: Case[] };
  reactor_messages: { source: string; cases: Case[] }[];
};
const zcash = vectors('zcash/zebra-codec-messages.json') as { cases: Case[] };

test('CometBFT MConnection packet vectors decode, with and without the length prefix', () => {
  const expected: Record<string, string> = { PacketPing: 'ping', PacketPong: 'pong', PacketMsg: 'msg' };
  for (const c of cometbft.mconn_packets.cases) {
    for (const [hex, delimited] of [
      [c.wire_hex!, true],
      [c.hex!, false],
    ] as const) {
      const out = json(dissectCometbft(bytes(hex)));
      assert.equal(out.packet, expected[c.name], c.name);
      assert.equal(out.delimited, delimited, c.name);
      if (c.name === 'PacketMsg') {
        assert.equal(out.channelId, 1);
        assert.equal(Buffer.from(String(out.data), 'hex').toString('latin1'), 'data transmitted over the wire');
      }
    }
  }
});

test('CometBFT PEX and reactor message vectors decode on their channels', () => {
  const [request, addrs] = cometbft.pex.cases;
  assert.equal(json(dissectCometbft(bytes(request!.hex!), { channel: 0 })).kind, 'pexRequest');
  const decodedAddrs = json(dissectCometbft(bytes(addrs!.hex!), { channel: 0 }));
  assert.equal(decodedAddrs.kind, 'pexAddrs');
  assert.match(JSON.stringify(decodedAddrs.message), /"127\.0\.0\.1"/);
  const channelOf: Record<string, number> = { mempool: 0x30, blockchain: 0x40, statesync: 0x60, consensus: 0x20, evidence: 0x38 };
  let decoded = 0;
  for (const group of cometbft.reactor_messages) {
    const reactor = Object.keys(channelOf).find((k) => group.source.includes(`:${k}/`));
    assert.ok(reactor !== undefined, group.source);
    for (const c of group.cases) {
      // Statesync chunk messages travel on 0x61; consensus votes on 0x22 and so on: any channel of the
      // reactor uses the same wrapper, so the first one decodes them all.
      const out = json(dissectCometbft(bytes(c.hex!), { channel: channelOf[reactor]! }));
      assert.equal(typeof out.kind, 'string', c.name);
      decoded++;
    }
  }
  assert.ok(decoded >= 20, `${decoded} reactor vectors`);
  const tx = cometbft.reactor_messages.find((g) => g.source.includes('mempool'))!.cases[0]!;
  assert.equal(json(dissectCometbft(bytes(tx.hex!), { channel: 0x30 })).kind, 'txs');
  const step = cometbft.reactor_messages.find((g) => g.source.includes('consensus'))!.cases[0]!;
  assert.equal(json(dissectCometbft(bytes(step.hex!), { channel: 0x20 })).kind, 'newRoundStep');
});

test('Zcash frame vectors: valid frames decode, invalid ones are refused with a typed error', () => {
  let ok = 0;
  let refused = 0;
  for (const c of zcash.cases) {
    if (c.frame === undefined || c.name.startsWith('getheaders') || c.name.startsWith('getblocks')) continue;
    if (c.expect === 'ok' || c.expect === 'ignored') {
      const out = json(dissectZcash(bytes(c.frame)));
      const frames = out.frames as { command: string; message: Record<string, unknown> }[];
      assert.equal(frames.length, 1, c.name);
      // What a connection ignores is still decoded, with a note saying a connection ignores it.
      if (c.expect === 'ignored') assert.match(JSON.stringify(out.frames), /a Zebra connection ignores/, c.name);
      ok++;
    } else {
      assert.throws(() => dissectZcash(bytes(c.frame!)), PeerwireError, c.name);
      refused++;
    }
  }
  assert.ok(ok >= 10 && refused >= 3, `${ok} decoded, ${refused} refused`);
  const version = json(dissectZcash(bytes(zcash.cases.find((c) => c.name === 'version_test_vector')!.frame!)));
  const message = (version.frames as { message: Record<string, unknown> }[])[0]!.message;
  assert.equal(message.version, 170160);
  assert.equal(message.userAgent, 'Zebra');
  assert.equal(message.startHeight, 540000);
  assert.equal(message.nonce, BigInt('0x9082490889279238').toString());
  assert.equal(message.relay, true);
});

test('the decode command: argument and stdin input, JSON out, one-line errors', { timeout: 120_000 }, async () => {
  const ping = zcash.cases.find((c) => c.name === 'ping')!;
  const fromArg = await runCli(['decode', '--wire', 'zcash', '--compact', ping.frame!]);
  assert.equal(fromArg.code, 0, fromArg.stderr);
  const parsed = JSON.parse(fromArg.stdout) as { frames: { command: string; message: { nonce: string } }[] };
  assert.equal(parsed.frames[0]!.command, 'ping');
  const fromStdin = await runCli(['decode', '--wire', 'cometbft', '-'], { input: `${cometbft.mconn_packets.cases[2]!.wire_hex!}\n` });
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.equal((JSON.parse(fromStdin.stdout) as { channelId: number }).channelId, 1);
  const wrongMagic = zcash.cases.find((c) => c.name === 'version_wrong_magic_for_mainnet_codec')!;
  const refused = await runCli(['decode', '--wire', 'zcash', wrongMagic.frame!]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^peerwire: frame magic [0-9a-f]{8} is not zcash-mainnet's/);
  assert.equal(refused.stderr.trim().split('\n').length, 1);
  const badHex = await runCli(['decode', '--wire', 'zcash', 'xyz']);
  assert.equal(badHex.code, 2);
  assert.match(badHex.stderr, /hexadecimal/);
});
