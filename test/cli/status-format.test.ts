// `peerwire status` tables from a /status document: the headline, one row per peer with its direction,
// address, time connected, bytes, queue and round trip, channels with queue depths, peer store counts;
// remote text cannot inject terminal escapes; missing fields print as `-`.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatStatus } from '../../src/cli/status-format.ts';
import { formatBytes, formatDuration, formatTable, printable } from '../../src/cli/text-table.ts';

const NOW = 1_800_000_000_000;

const DOC = {
  wire: 'cometbft',
  id: '85b10088ea16ab4d577e3e6103b9b93a3c72e33a',
  network: 'test-chain',
  listen: '127.0.0.1:26656',
  uptimeSeconds: 3725,
  peers: [
    { id: 'c4790acc544dc624be22aaaaaaaaaaaaaaaaaaaa', direction: 'inbound', remote: '127.0.0.1:34302', connectedAt: NOW - 65_000, bytesReceived: 6861, bytesSent: 512, queuedBytes: 0, rttMs: 3.25, name: 'node\u001b[2Jevil' },
    { id: 'e767d9146a30e2f9015c', direction: 'outbound', remote: '127.0.0.1:26657', connectedAt: NOW - 5_000, bytesReceived: 3 * 1024 * 1024, bytesSent: 0, queuedBytes: 2048 },
  ],
  channels: [{ id: 0, queued: 0 }, { id: 0x30, queued: 7 }],
  peerStore: { stored: 12, connected: 2, inbound: 1, outbound: 1 },
};

test('status tables show every peer, channel and peer-store count', () => {
  const out = formatStatus(DOC, NOW);
  const lines = out.split('\n');
  assert.equal(lines[0], 'cometbft node 85b10088ea16ab4d577e3e6103b9b93a3c72e33a on test-chain, listening on 127.0.0.1:26656, up 1 h 02 m');
  assert.ok(lines.includes('PEERS (2)'));
  const header = lines.find((l) => l.startsWith('ID '))!;
  assert.match(header, /^ID\s+DIRECTION\s+ADDRESS\s+CONNECTED FOR\s+BYTES IN\s+BYTES OUT\s+QUEUED\s+RTT\s+NAME$/);
  const first = lines.find((l) => l.startsWith('c4790acc544dc624 '))!;
  assert.match(first, /^c4790acc544dc624\s+inbound\s+127\.0\.0\.1:34302\s+1 m 05 s\s+6\.7 KiB\s+512 B\s+0 B\s+3\.3 ms\s+node\?\[2Jevil$/);
  const second = lines.find((l) => l.startsWith('e767d9146a30e2f9 '))!;
  assert.match(second, /^e767d9146a30e2f9\s+outbound\s+127\.0\.0\.1:26657\s+5 s\s+3\.0 MiB\s+0 B\s+2\.0 KiB\s+-\s+-$/);
  assert.ok(!out.includes('\u001b'), 'no escape reaches the terminal');
  assert.match(out, /CHANNELS\nID\s+QUEUE DEPTH\n0x00\s+0\n0x30\s+7\n/);
  assert.match(out, /PEER STORE\nSTORED\s+CONNECTED\s+INBOUND\s+OUTBOUND\n\s+12\s+2\s+1\s+1\n$/);
});

test('a node without peers, and a document missing fields', () => {
  const out = formatStatus({ wire: 'zcash', id: '127.0.0.1:18344', network: 'zcash-regtest', peers: [], channels: [] }, NOW);
  assert.match(out, /^zcash node 127\.0\.0\.1:18344 on zcash-regtest, listening on -\n/);
  assert.match(out, /PEERS \(0\)\n\(none\)\n/);
  const odd = formatStatus({ peers: [{}] }, NOW);
  assert.match(odd, /PEERS \(1\)\nID.*\n-\s+-\s+-\s+-\s+0 B\s+0 B\s+0 B\s+-\s+-\n/);
});

test('tables pad columns, align numbers right and keep cells on one line', () => {
  assert.equal(formatTable(['A', 'NUM'], [['xyz', '1'], ['q', '1234']], { right: [1] }), 'A     NUM\nxyz     1\nq    1234');
  assert.equal(printable('a\nb\tc\u009bd'), 'a?b?c?d');
  assert.deepEqual([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(5 * 1024 ** 3)], ['0 B', '1023 B', '1.5 KiB', '5.0 GiB']);
  assert.deepEqual([formatDuration(0), formatDuration(59.6), formatDuration(61), formatDuration(7260), formatDuration(90_000)], ['0 s', '1 m 00 s', '1 m 01 s', '2 h 01 m', '1 d 01 h']);
});
