// CometBFT's p2p metrics as the observer keeps them: per-peer byte counters labelled with the peer id
// and Go's `%#x` channel id, message-type counters, the peer gauge, pending bytes; a peer's series
// outlive a replaced connection and disappear when its last connection ends (bounded by the peers).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PromMetrics } from '../../../src/core/prom-metrics.ts';
import { chIdLabel, CometbftP2pMetrics } from '../../../src/cometbft/node/cometbft-p2p-metrics.ts';

const PEER = 'ab'.repeat(20);

test('per-peer series live from the first connection up to the last one down', async () => {
  const prom = new PromMetrics();
  const m = new CometbftP2pMetrics(prom, 'chain-x');
  m.peerUp(PEER);
  m.received(PEER, 0x30, new Uint8Array([0x0a, 0x02, 0x0a, 0x00]));
  m.sent(PEER, 0x00, new Uint8Array([0x0a, 0x00]));
  m.pending(PEER, 77);
  let text = await prom.text();
  assert.match(text, new RegExp(`^cometbft_p2p_peer_receive_bytes_total\\{chain_id="chain-x",peer_id="${PEER}",chID="0x30"\\} 4$`, 'm'));
  assert.match(text, new RegExp(`^cometbft_p2p_peer_send_bytes_total\\{chain_id="chain-x",peer_id="${PEER}",chID="0x0"\\} 2$`, 'm'));
  assert.match(text, /^cometbft_p2p_message_receive_bytes_total\{chain_id="chain-x",message_type="mempool_Txs"\} 4$/m);
  assert.match(text, /^cometbft_p2p_message_send_total\{chain_id="chain-x",message_type="p2p_PexRequest"\} 1$/m);
  assert.match(text, new RegExp(`^cometbft_p2p_peer_pending_send_bytes\\{chain_id="chain-x",peer_id="${PEER}"\\} 77$`, 'm'));
  assert.match(text, /^cometbft_p2p_peers\{chain_id="chain-x"\} 1$/m);
  // A replacing connection comes up before the old one goes down: the peer stays, once.
  m.peerUp(PEER);
  m.peerDown(PEER);
  text = await prom.text();
  assert.match(text, /^cometbft_p2p_peers\{chain_id="chain-x"\} 1$/m);
  assert.match(text, new RegExp(`peer_id="${PEER}"`));
  m.peerDown(PEER);
  text = await prom.text();
  assert.doesNotMatch(text, /peer_id=/, 'the last disconnect removes every per-peer series');
  assert.match(text, /^cometbft_p2p_peers\{chain_id="chain-x"\} 0$/m);
  // Traffic reported after the peer left makes no per-peer series (only the message-type totals).
  m.received(PEER, 0x30, new Uint8Array([0x0a, 0x00]));
  assert.doesNotMatch(await prom.text(), /peer_id=/);
});

test('channel ids print as Go prints %#x', () => {
  assert.deepEqual([chIdLabel(0), chIdLabel(0x20), chIdLabel(0x30), chIdLabel(0x61)], ['0x0', '0x20', '0x30', '0x61']);
});
