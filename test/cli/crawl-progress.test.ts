// The crawl's progress counts and its `--until-done` test: contacted means dialed at least once (worked
// or not); pending means found and never contacted; a redial of a contacted peer is not in flight; the
// crawl is done when nothing is pending or in flight, or when nothing is left that would ever be dialed.
// The progress line is drawn in place on a terminal and not at all elsewhere.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crawlProgress, formatCrawlProgress, ProgressLine, type CrawlPeer } from '../../src/cli/crawl-progress.ts';

function peer(state: { success?: number; failure?: number; connected?: number; inactive?: boolean; dialing?: boolean; ready?: boolean } = {}): CrawlPeer {
  return {
    record: {
      addresses: [{ lastDialSuccess: state.success, lastDialFailure: state.failure }],
      lastConnected: state.connected,
      inactive: state.inactive ?? false,
    },
    dialing: state.dialing ?? false,
    ready: state.ready ?? false,
  };
}

test('counts found, contacted, pending and in flight', () => {
  const p = crawlProgress({
    peers: [peer({ success: 1, connected: 1 }), peer({ failure: 2 }), peer(), peer({ dialing: true }), peer({ inactive: true }), peer({ success: 1, dialing: true })],
    reachable: 1,
    asking: 1,
    anythingToDial: true,
  });
  assert.deepEqual(p, { found: 6, contacted: 3, reachable: 1, pending: 1, inFlight: 2, done: false });
  assert.equal(formatCrawlProgress('zcash-mainnet', p, 12.4), 'crawling zcash-mainnet: 6 found, 3 contacted, 1 reachable, 1 pending, 2 in flight, 12 s');
});

test('done when nothing is pending or in flight, or nothing would ever be dialed', () => {
  const contactedOnly = [peer({ success: 1 }), peer({ failure: 1 }), peer({ success: 1, dialing: true })];
  assert.equal(crawlProgress({ peers: contactedOnly, reachable: 1, asking: 0, anythingToDial: true }).done, true);
  assert.equal(crawlProgress({ peers: contactedOnly, reachable: 1, asking: 1, anythingToDial: true }).done, false, 'a getaddr still running');
  assert.equal(crawlProgress({ peers: [...contactedOnly, peer()], reachable: 1, asking: 0, anythingToDial: true }).done, false, 'one never contacted');
  assert.equal(crawlProgress({ peers: [...contactedOnly, peer()], reachable: 1, asking: 0, anythingToDial: false }).done, true, 'nothing the peer manager would dial');
  assert.equal(crawlProgress({ peers: [peer({ dialing: true })], reachable: 0, asking: 0, anythingToDial: false }).done, false, 'a first dial running');
});

test('the progress line redraws in place on a terminal and stays silent elsewhere', () => {
  const written: string[] = [];
  const tty = new ProgressLine((t) => written.push(t), true);
  tty.update('one');
  tty.update('two');
  tty.finish();
  assert.deepEqual(written, ['\r\x1b[2Kone', '\r\x1b[2Ktwo', '\n']);
  const piped: string[] = [];
  const plain = new ProgressLine((t) => piped.push(t), false);
  plain.update('one');
  plain.finish();
  assert.deepEqual(piped, []);
});
