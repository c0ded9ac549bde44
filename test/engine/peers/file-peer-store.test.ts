// FilePeerStore: round trips, persistence across instances, every kind of damaged file (one warning,
// the file moved aside, an empty store), the debounce, serialized flushes, failed writes and their
// retry, leftover temporary files, metrics, and that close() leaves no timer behind.

import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { ErrorCode, PeerwireError } from '../../../src/core/errors.ts';
import type { Logger } from '../../../src/core/logger.ts';
import { PromMetrics } from '../../../src/core/prom-metrics.ts';
import {
  ERR_PEERS_STORE_NOT_LOADED,
  ERR_PEERS_STORE_WRITE,
  FilePeerStore,
  type FilePeerStoreOptions,
} from '../../../src/engine/peers/file-peer-store.ts';
import {
  ERR_PEERS_RECORD_INVALID,
  MAX_PEER_FILE_BYTES,
  PEER_FILE_HEADER_BYTES,
  PEER_FILE_MAGIC,
  PEER_FILE_VERSION,
  decodePeerFile,
  encodePeerFile,
} from '../../../src/engine/peers/file-peer-store-format.ts';
import type { PeerRecord } from '../../../src/engine/peers/types.ts';
import { activeTimers } from '../../helpers/handles.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'peerwire-store-'));
  dirs.push(dir);
  return dir;
}

interface CapturedLogger extends Logger {
  readonly warnings: { fields: unknown; message: unknown }[];
}

function captureLogger(): CapturedLogger {
  const warnings: { fields: unknown; message: unknown }[] = [];
  const noop = (): void => undefined;
  const logger: CapturedLogger = {
    warnings,
    trace: noop,
    debug: noop,
    info: noop,
    warn: (fields: unknown, message?: unknown) => warnings.push({ fields, message }),
    error: (fields: unknown, message?: unknown) => warnings.push({ fields, message }),
    child: () => logger,
  };
  return logger;
}

function fullRecord(n: number): PeerRecord {
  const id = n.toString(16).padStart(40, 'a');
  return {
    id,
    addresses: [
      { address: `${id}@127.0.0.1:${26656 + n}`, dialFailures: 0, lastDialSuccess: 1_704_067_200_000 + n },
      {
        address: `${id}@[::1]:${26656 + n}`,
        dialFailures: 3,
        lastDialFailure: 1_704_067_300_000,
        lastDialSuccess: 1,
      },
    ],
    lastConnected: 1_704_067_400_000,
    inactive: n % 2 === 0,
    mutableScore: -7 + n,
    bannedUntil: 1_704_153_600_000,
    policy: {
      state: 'responded',
      services: 1,
      lastSeen: 1_704_067_200,
      nested: { list: [1, 'two', null, true] },
    },
  };
}

function minimalRecord(id: string): PeerRecord {
  return { id, addresses: [], inactive: false, mutableScore: 0 };
}

const byId = (a: PeerRecord, b: PeerRecord): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

async function openStore(path: string, options: Partial<FilePeerStoreOptions> = {}) {
  const logger = captureLogger();
  const store = new FilePeerStore({ path, logger, ...options });
  const records = await store.load();
  return { store, records, logger };
}

test('round trip of records with every field, across store instances', async () => {
  const path = join(await tempDir(), 'peers.dat');
  const first = await openStore(path);
  assert.deepEqual(first.records, [], 'a missing file is an empty store');
  assert.equal(first.logger.warnings.length, 0, 'a missing file is not a warning');
  const records = [fullRecord(1), fullRecord(2), minimalRecord('127.0.0.1:8233')];
  for (const r of records) first.store.put(r);
  await first.store.close();

  const second = await openStore(path);
  assert.deepEqual([...second.records].sort(byId), [...records].sort(byId));
  assert.equal(second.logger.warnings.length, 0);
  second.store.delete(records[0]!.id);
  second.store.put({ ...records[1]!, mutableScore: 42 });
  assert.deepEqual(
    (await second.store.load()).map((r) => r.mutableScore).sort(),
    [0, 42],
    'a second load is memory',
  );
  await second.store.close();

  const third = await openStore(path);
  assert.deepEqual(
    [...third.records].sort(byId),
    [{ ...records[1]!, mutableScore: 42 }, records[2]!].sort(byId),
  );
  await third.store.close();
});

test('put stores a snapshot: later changes to the caller object are not persisted without put', async () => {
  const path = join(await tempDir(), 'peers.dat');
  const { store } = await openStore(path);
  const record = fullRecord(5);
  store.put(record);
  record.mutableScore = 99;
  record.addresses[0]!.dialFailures = 9;
  await store.close();
  const { records, store: again } = await openStore(path);
  assert.deepEqual(records, [fullRecord(5)]);
  await again.close();
});

test('put validates records and refuses writes before load and after close', async () => {
  const path = join(await tempDir(), 'peers.dat');
  const store = new FilePeerStore({ path });
  assert.throws(
    () => store.put(minimalRecord('x')),
    (e: unknown) => e instanceof PeerwireError && e.code === ERR_PEERS_STORE_NOT_LOADED,
  );
  await store.load();
  const bad: unknown[] = [
    { ...minimalRecord('x'), addresses: [{ address: 'a:1', dialFailures: -1 }] },
    { ...minimalRecord('') },
    { ...minimalRecord('x'), mutableScore: Number.NaN },
    { ...minimalRecord('x'), lastConnected: -5 },
    { ...minimalRecord('x'), policy: { big: 10n } },
    { ...minimalRecord('x'), policy: [1, 2] },
    { ...minimalRecord('x'), policy: { pad: 'p'.repeat(9000) } },
    {
      ...minimalRecord('x'),
      addresses: Array.from({ length: 65 }, () => ({ address: 'a:1', dialFailures: 0 })),
    },
  ];
  for (const record of bad) {
    assert.throws(
      () => store.put(record as PeerRecord),
      (e: unknown) => e instanceof PeerwireError && e.code === ERR_PEERS_RECORD_INVALID,
    );
  }
  assert.equal(store.size, 0);
  await store.close();
  assert.throws(
    () => store.put(minimalRecord('x')),
    (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.Closed,
  );
  assert.throws(
    () => store.delete('x'),
    (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.Closed,
  );
});

/** Writes `bytes` as the store, loads it, and checks the one-warning / moved-aside / empty contract. */
async function expectRefused(dir: string, bytes: Uint8Array, reason: string, label: string): Promise<void> {
  const path = join(dir, 'peers.dat');
  await writeFile(path, bytes);
  const clock = new ManualClock();
  const { store, records, logger } = await openStore(path, { clock });
  assert.deepEqual(records, [], `${label}: empty store`);
  assert.equal(logger.warnings.length, 1, `${label}: exactly one warning`);
  const fields = logger.warnings[0]!.fields as { reason: string; movedTo?: string };
  assert.equal(fields.reason, reason, `${label}: reason`);
  assert.ok(fields.movedTo?.startsWith(`${path}.corrupt-`), `${label}: moved aside`);
  assert.deepEqual(
    await readFile(fields.movedTo!),
    Buffer.from(bytes),
    `${label}: the bad file is kept as it was`,
  );
  await store.close();
  assert.equal(clock.pendingTimers, 0);
}

/** A well-formed header (right magic, version, length and checksum) around any body. */
function fileWithBody(body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  const header = Buffer.alloc(PEER_FILE_HEADER_BYTES);
  header.set(PEER_FILE_MAGIC, 0);
  header.writeUInt32BE(PEER_FILE_VERSION, 8);
  header.writeUInt32BE(bytes.length, 12);
  createHash('sha256').update(bytes).digest().copy(header, 16);
  return Buffer.concat([header, bytes]);
}

const sample = (): Buffer =>
  encodePeerFile([fullRecord(1), minimalRecord('10.0.0.1:8233')].map((r) => JSON.stringify(r)));

test('a file truncated at every byte position is refused with one warning', async () => {
  const dir = await tempDir();
  const file = sample();
  for (let cut = 0; cut < file.length; cut++) {
    const reason = cut < PEER_FILE_HEADER_BYTES ? 'truncated' : 'bad_length';
    await expectRefused(dir, file.subarray(0, cut), reason, `cut at ${cut}`);
  }
  const copies = (await readdir(dir)).filter((name) => name.includes('.corrupt-'));
  assert.equal(copies.length, 3, 'only the newest three damaged files are kept');
});

test('one flipped bit anywhere in the file is refused with one warning', async () => {
  const dir = await tempDir();
  const file = sample();
  for (let i = 0; i < file.length; i++) {
    const bad = Buffer.from(file);
    bad[i] = bad[i]! ^ (1 << (i % 8));
    const reason = i < 8 ? 'bad_magic' : i < 12 ? 'bad_version' : i < 16 ? 'bad_length' : 'bad_checksum';
    await expectRefused(dir, bad, reason, `bit flip at byte ${i}`);
  }
});

test('wrong magic, future version, empty file, garbage, bad records are refused with one warning', async () => {
  const dir = await tempDir();
  const wrongMagic = sample();
  wrongMagic.write('PEERSDAT', 0, 'latin1');
  await expectRefused(dir, wrongMagic, 'bad_magic', 'wrong magic');
  const future = sample();
  future.writeUInt32BE(2, 8);
  await expectRefused(dir, future, 'bad_version', 'future version');
  await expectRefused(dir, new Uint8Array(0), 'truncated', 'empty file');
  await expectRefused(
    dir,
    Buffer.from('{"not":"a peer store"} and then some garbage text that is long enough'),
    'bad_magic',
    'garbage',
  );
  await expectRefused(dir, sample().subarray(0, 20), 'truncated', 'header only');
  await expectRefused(dir, Buffer.concat([sample(), Buffer.from([0])]), 'bad_length', 'trailing byte');
  await expectRefused(dir, encodePeerFile(['{"id":"x"}']), 'bad_record', 'record missing fields');
  const dup = JSON.stringify(minimalRecord('x'));
  await expectRefused(dir, encodePeerFile([dup, dup]), 'bad_record', 'duplicate ids');
  await expectRefused(dir, encodePeerFile(['1']), 'bad_record', 'a number as a record');
  await expectRefused(dir, fileWithBody('{"id":"x"}'), 'bad_body', 'body not an array');
  await expectRefused(dir, fileWithBody('[{"id":'), 'bad_body', 'body not JSON');
  await expectRefused(dir, fileWithBody('[\uFFFD\u0000]'), 'bad_body', 'body not JSON text');
});

test('a file over the size cap is refused without being read', async () => {
  const dir = await tempDir();
  const path = join(dir, 'peers.dat');
  await writeFile(path, sample());
  await truncate(path, MAX_PEER_FILE_BYTES + 1); // sparse: costs no disk and no read
  const { store, records, logger } = await openStore(path);
  assert.deepEqual(records, []);
  assert.equal(logger.warnings.length, 1);
  assert.equal((logger.warnings[0]!.fields as { reason: string }).reason, 'too_large');
  await store.close();
});

test('an unreadable store path (a directory) is one warning and an empty store, never a throw', async () => {
  const dir = await tempDir();
  const path = join(dir, 'peers.dat');
  await mkdir(path);
  const { store, records, logger } = await openStore(path);
  assert.deepEqual(records, []);
  assert.equal(logger.warnings.length, 1);
  assert.equal((logger.warnings[0]!.fields as { reason: string }).reason, 'io_error');
  await store.close();
});

test('after a damaged file is moved aside the store works and persists again', async () => {
  const path = join(await tempDir(), 'peers.dat');
  await writeFile(path, 'garbage');
  const { store } = await openStore(path);
  store.put(fullRecord(3));
  await store.close();
  const again = await openStore(path);
  assert.deepEqual(again.records, [fullRecord(3)]);
  assert.equal(again.logger.warnings.length, 0);
  await again.store.close();
});

test('temporary files left by a crash are removed on load; other files are left alone', async () => {
  const dir = await tempDir();
  const path = join(dir, 'peers.dat');
  await writeFile(path, encodePeerFile([JSON.stringify(fullRecord(4))]));
  await writeFile(join(dir, 'peers.dat.tmp-12345-0'), 'half a write');
  await writeFile(join(dir, 'peers.dat.tmp-999-17'), '');
  await writeFile(join(dir, 'node_key.json'), '{}');
  const { store, records, logger } = await openStore(path);
  assert.deepEqual(records, [fullRecord(4)]);
  assert.equal(logger.warnings.length, 0);
  assert.deepEqual((await readdir(dir)).sort(), ['node_key.json', 'peers.dat']);
  await store.close();
});

test('the debounce coalesces many changes into one write, and later changes do not postpone it', async () => {
  const path = join(await tempDir(), 'peers.dat');
  const clock = new ManualClock();
  const metrics = new PromMetrics();
  const { store } = await openStore(path, { clock, metrics });
  for (let i = 0; i < 100; i++) store.put(fullRecord(i));
  assert.equal(clock.pendingTimers, 1, 'one timer for all changes');
  await clock.advance(500);
  store.delete(fullRecord(0).id);
  store.put(fullRecord(1)); // unchanged: not even a change
  assert.equal(clock.pendingTimers, 1, 'still the same timer');
  await clock.advance(500);
  assert.equal(clock.pendingTimers, 0, 'the timer fired at 1000 ms, not 1500 ms');
  await store.flush(); // chains behind the timer's write, with nothing left to write
  assert.match(await metrics.text(), /peerwire_peers_store_writes_total\{result="ok"\} 1\b/);
  const reader = await openStore(path);
  assert.equal(reader.records.length, 99);
  await reader.store.close();
  await store.close();
  assert.equal(clock.pendingTimers, 0);
});

test('the automatic flush fires after flushInterval and commits everything once', async () => {
  const path = join(await tempDir(), 'peers.dat');
  const clock = new ManualClock();
  const metrics = new PromMetrics();
  const { store } = await openStore(path, { clock, metrics, flushInterval: 1000 });
  for (let i = 0; i < 50; i++) store.put(fullRecord(i));
  await clock.advance(999);
  assert.doesNotMatch(
    await metrics.text(),
    /peerwire_peers_store_writes_total\{result="ok"\}/,
    'nothing written early',
  );
  store.put(minimalRecord('late'));
  await clock.advance(1);
  // Wait for the timer's write: a flush chains behind it and has nothing left to do.
  await store.flush();
  const text = await metrics.text();
  assert.match(text, /peerwire_peers_store_writes_total\{result="ok"\} 1\b/);
  assert.equal(clock.pendingTimers, 0);
  const reader = await openStore(path);
  assert.equal(reader.records.length, 51, 'the late change rode along');
  await reader.store.close();
  await store.close();
  assert.match(
    await metrics.text(),
    /peerwire_peers_store_writes_total\{result="ok"\} 1\b/,
    'close had nothing to write',
  );
});

async function readStoreFile(path: string): Promise<PeerRecord[]> {
  const decoded = decodePeerFile(await readFile(path));
  assert.ok(decoded.ok);
  return decoded.records;
}

const canonical = (records: PeerRecord[]): string => JSON.stringify([...records].sort(byId));

test('concurrent flushes serialize and each commits at least the changes made before it', async () => {
  const path = join(await tempDir(), 'peers.dat');
  const metrics = new PromMetrics();
  const { store } = await openStore(path, { clock: new ManualClock(), metrics });
  const states: string[] = [];
  const onDisk: string[] = [];
  const flushes: Promise<void>[] = [];
  for (let i = 0; i < 30; i++) {
    store.put(fullRecord(i));
    if (i % 3 === 0 && i > 0) store.delete(fullRecord(i - 1).id);
    states.push(canonical(await store.load()));
    flushes.push(
      store.flush().then(async () => {
        onDisk[i] = canonical(await readStoreFile(path));
      }),
    );
    // Let some writes get under way before the next changes, and pile up flushes behind others.
    if (i % 2 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(flushes);
  for (let i = 0; i < states.length; i++) {
    const committed = states.indexOf(onDisk[i]!);
    assert.ok(committed >= i, `flush ${i} resolved with state ${committed} on disk`);
  }
  assert.equal(onDisk.at(-1), states.at(-1));
  const writes = /peerwire_peers_store_writes_total\{result="ok"\} (\d+)/.exec(await metrics.text());
  assert.ok(writes !== null && Number(writes[1]) <= 30, 'never more writes than flushes');
  await store.close();
});

test('a failed write rejects with a typed error, is retried with backoff, and close leaves no timer', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'blocker'), 'a file where a directory should be');
  const path = join(dir, 'blocker', 'peers.dat');
  const clock = new ManualClock();
  const metrics = new PromMetrics();
  const { store, logger } = await openStore(path, { clock, metrics, flushInterval: 10 });
  assert.equal(logger.warnings.length, 1, 'the unusable path is reported at load');
  store.put(fullRecord(1));
  await assert.rejects(
    store.flush(),
    (e: unknown) => e instanceof PeerwireError && e.code === ERR_PEERS_STORE_WRITE,
  );
  assert.equal(clock.pendingTimers, 1, 'a retry is scheduled');
  assert.equal(logger.warnings.length, 2);
  await clock.advance(1000); // the retry fires and fails again
  await store.flush().catch(() => undefined); // an explicit flush fails too
  assert.match(await metrics.text(), /peerwire_peers_store_writes_total\{result="error"\} 3\b/);
  assert.equal(clock.pendingTimers, 1, 'still exactly one retry timer');
  await assert.rejects(store.close(), (e: unknown) => e instanceof PeerwireError);
  assert.equal(clock.pendingTimers, 0, 'close leaves no timer even when its flush fails');
});

test('close with the real clock leaves no timer behind', async () => {
  const path = join(await tempDir(), 'peers.dat');
  const before = activeTimers();
  const { store } = await openStore(path);
  store.put(fullRecord(1));
  assert.equal(activeTimers(), before + 1, 'the debounce timer is armed');
  await store.close();
  assert.equal(activeTimers(), before, 'close cleared it');
  await store.close(); // idempotent
  const reader = await openStore(path);
  assert.equal(reader.records.length, 1, 'close flushed');
  await reader.store.close();
});

test('metrics count writes, bytes, corrupt loads and records', async () => {
  const path = join(await tempDir(), 'peers.dat');
  await writeFile(path, 'not a store');
  const metrics = new PromMetrics();
  const { store } = await openStore(path, { metrics });
  store.put(fullRecord(1));
  store.put(fullRecord(2));
  await store.flush();
  const size = (await readFile(path)).length;
  await store.close();
  const text = await metrics.text();
  assert.match(text, /peerwire_peers_store_corrupt_loads_total\{reason="truncated"\} 1\b/);
  assert.match(text, /peerwire_peers_store_writes_total\{result="ok"\} 1\b/);
  assert.match(text, new RegExp(`peerwire_peers_store_written_bytes_total ${size}\\b`));
  assert.match(text, /peerwire_peers_store_records 2\b/);
});
