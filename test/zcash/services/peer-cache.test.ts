// The on-disk peer cache: round trip, atomic replacement without leftovers, tolerance of corrupt,
// oversized and missing files, the 75-peer cap, and the periodic writer on an injected clock.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/core/clock.ts';
import { waitFor } from '../../helpers/wait.ts';
import { PeerCache, MAX_PEER_CACHE_FILE_BYTES } from '../../../src/zcash/services/peer-cache.ts';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'peerwire-peer-cache-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('PeerCache', () => {
  it('round-trips addresses through <dir>/<network>.peers, atomically', async () => {
    await withDir(async (dir) => {
      const cache = new PeerCache({
        dir: join(dir, 'sub'),
        network: 'zcash-mainnet',
        clock: new ManualClock(),
      });
      const addrs = ['20.0.0.1:8233', '[2001:db8::1]:8233', '127.0.0.1:18233'];
      await cache.save(addrs);
      assert.equal(cache.path, join(dir, 'sub', 'zcash-mainnet.peers'));
      assert.deepEqual(await cache.load(), addrs);
      await cache.save(['20.0.0.9:8233']);
      assert.deepEqual(await cache.load(), ['20.0.0.9:8233']);
      assert.deepEqual(await readdir(join(dir, 'sub')), ['zcash-mainnet.peers'], 'no temporary files left');
    });
  });

  it('tolerates missing, corrupt and oversized files', async () => {
    await withDir(async (dir) => {
      const cache = new PeerCache({ dir, network: 'zcash-testnet', clock: new ManualClock() });
      assert.deepEqual(await cache.load(), [], 'missing file');
      await writeFile(
        cache.path,
        '# comment\n20.0.0.1:8233\n\u0000\u00ff garbage\n20.0.0.1:8233\n[::ffff:20.0.0.2]:8233\nhost.example:8233\n999.1.1.1:1\n20.0.0.3:99999\n',
      );
      assert.deepEqual(await cache.load(), ['20.0.0.1:8233', '20.0.0.2:8233']);
      await writeFile(cache.path, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x0a, 0xff]));
      assert.deepEqual(await cache.load(), []);
      const big = '20.0.0.4:8233\n' + 'x'.repeat(MAX_PEER_CACHE_FILE_BYTES * 2);
      await writeFile(cache.path, big);
      assert.deepEqual(await cache.load(), ['20.0.0.4:8233'], 'only the head of an oversized file is read');
    });
  });

  it('keeps at most 75 peers', async () => {
    await withDir(async (dir) => {
      const cache = new PeerCache({ dir, network: 'zcash-mainnet', clock: new ManualClock() });
      const many = Array.from({ length: 100 }, (_, i) => `20.0.0.${i}:8233`);
      await cache.save(many);
      assert.equal((await readFile(cache.path, 'utf8')).trim().split('\n').length, 75);
      await writeFile(cache.path, many.join('\n'));
      assert.equal((await cache.load()).length, 75);
    });
  });

  it('writes recently live peers every 5 min and once more on stop', async () => {
    await withDir(async (dir) => {
      const clock = new ManualClock();
      let live = ['20.0.0.1:8233'];
      const cache = new PeerCache({
        dir,
        network: 'zcash-mainnet',
        clock,
        peers: { recentlyLive: () => live },
      });
      cache.start();
      await clock.advance(4 * 60_000);
      assert.deepEqual(await cache.load(), []);
      await clock.advance(60_000);
      await waitFor(async () => (await cache.load()).length === 1, 'the first save');
      live = ['20.0.0.2:8233', '20.0.0.3:8233'];
      await waitFor(() => clock.pendingTimers === 1, 'the next save to be scheduled');
      await cache.stop();
      assert.deepEqual(await cache.load(), live);
      assert.equal(clock.pendingTimers, 0);
    });
  });

  it('refuses network names that could escape the directory', () => {
    assert.throws(
      () => new PeerCache({ dir: '/tmp', network: '../etc', clock: new ManualClock() }),
      /invalid network/,
    );
  });
});
