// js-libp2p side-by-side measurements for peerwire's benchmark (`npm run bench` runs this file with
// plain node inside bench/libp2p-compare, after installing the pinned stack there).
//
// Stack: libp2p 3.x + @libp2p/tcp + @chainsafe/libp2p-noise + @chainsafe/libp2p-yamux, loopback only,
// no identify/ping services, connection-manager limits raised so the benchmark is not throttled.
// The "server" peer runs in a forked child process (2 processes) unless `procs` is 1.
//
// Usage: node [--expose-gc] compare.mjs <test> '<json params>'
//   msgs   {procs, size, ms, warmupMs, repeat}  one stream, one send() per message, upload sized to last ~ms
//   upload {procs, size, ms, warmupMs, repeat}  same path with large sends (bulk MB/s)
//   rtt    {procs, size, ms, warmupCount}       echo on one long-lived stream, one message in flight
//   dial   {count, warmupCount}                 fresh connection (TCP + noise + yamux), then a 1-byte round trip
//   conns  {count, settleMs, burstMs}           memory per idle connection, both sides, sampled burstMs after
//                                               the dials and after settleMs idle (needs --expose-gc)
// Prints exactly one line `RESULT {json}` on stdout; everything else is diagnostics.
import './polyfill.mjs'; // first: Node 20 lacks Promise.withResolvers
import { createLibp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

// Upload protocol in the shape of libp2p's /perf/1.0.0: 8-byte big-endian count of bytes the server
// must send back, then the upload until the client half-closes; the server replies and closes.
const UPLOAD = '/peerwire-bench/upload/1.0.0';
const ECHO = '/peerwire-bench/echo/1.0.0';
// Stream limits far above anything a run opens, so libp2p's defaults never reject a benchmark stream.
const MAX_STREAMS = 100_000;
// Reply block size for the upload protocol's download half (only tiny replies are used here).
const REPLY_BLOCK = 64 * 1024;

function makeNode(listen) {
  return createLibp2p({
    addresses: { listen: listen ? ['/ip4/127.0.0.1/tcp/0'] : [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: 100_000,
      inboundConnectionThreshold: 1e9,
      maxIncomingPendingConnections: 100_000,
    },
  });
}

const bytesOf = (d) => (d instanceof Uint8Array ? d : d.subarray()); // Uint8ArrayList -> Uint8Array

async function sendWithBackpressure(stream, buf) {
  if (!stream.send(buf)) await stream.onDrain();
}

async function startServer() {
  const node = await makeNode(true);
  await node.handle(
    UPLOAD,
    (stream) => {
      let header = new Uint8Array(0);
      let replyBytes = -1;
      stream.addEventListener('message', (e) => {
        if (replyBytes >= 0) return;
        const chunk = bytesOf(e.data);
        const merged = new Uint8Array(header.length + chunk.length);
        merged.set(header);
        merged.set(chunk, header.length);
        header = merged.length < 8 ? merged : new Uint8Array(0);
        if (merged.length >= 8)
          replyBytes = Number(new DataView(merged.buffer, merged.byteOffset, 8).getBigUint64(0));
      });
      stream.addEventListener('remoteCloseWrite', () => {
        void (async () => {
          const block = new Uint8Array(REPLY_BLOCK);
          for (let left = Math.max(0, replyBytes); left > 0; left -= REPLY_BLOCK) {
            await sendWithBackpressure(stream, block.subarray(0, Math.min(REPLY_BLOCK, left)));
          }
          await stream.close();
        })().catch((err) => stream.abort(err));
      });
    },
    { maxInboundStreams: MAX_STREAMS },
  );
  await node.handle(
    ECHO,
    (stream) => {
      stream.addEventListener('message', (e) => stream.send(e.data));
      stream.addEventListener('remoteCloseWrite', () => {
        stream.close().catch(() => {});
      });
    },
    { maxInboundStreams: MAX_STREAMS },
  );
  return node;
}

// ---- the server side: either a forked child or the same process --------------------------------

function gcMemory() {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage();
}

async function openServer(procs) {
  if (procs === 1) {
    const node = await startServer();
    return {
      addr: node.getMultiaddrs()[0],
      cpu: async () => process.cpuUsage(),
      mem: async () => gcMemory(),
      stop: () => node.stop(),
      separate: false,
    };
  }
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, PEERWIRE_L2P_CHILD: '1' },
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const waiting = new Map();
  const first = new Promise((resolve, reject) => {
    waiting.set(0, resolve);
    child.once('exit', (code) => reject(new Error(`libp2p server child exited early (${code})`)));
  });
  child.on('message', (m) => {
    const r = waiting.get(m.id);
    waiting.delete(m.id);
    r?.(m.value);
  });
  const call = (op) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.send({ id, op });
    });
  const addr = multiaddr(await first);
  return {
    addr,
    cpu: () => call('cpu'),
    mem: () => call('mem'),
    stop: async () => {
      child.send({ op: 'exit' });
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 2000))]);
      child.kill();
    },
    separate: true,
  };
}

// ---- measurements --------------------------------------------------------------------------------

const cpuSeconds = (u) => (u.user + u.system) / 1e6;

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i];
}

function median(values) {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

function u64(n) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
}

// Uploads `totalBytes` in `size`-byte sends (awaiting 'drain' only when send() says so), then waits
// until the server has consumed everything, replied with `replyBytes` and closed. Returns elapsed ms.
// The amount is a byte count, not a deadline: libp2p buffers megabytes before it pushes back, so a
// time-boxed send loop would measure how fast data enters that buffer, not how fast it is delivered.
async function upload(conn, { size, totalBytes, replyBytes = 0 }) {
  const t0 = performance.now();
  const stream = await conn.newStream(UPLOAD);
  await sendWithBackpressure(stream, u64(replyBytes));
  const payload = new Uint8Array(size).fill(7);
  for (let sent = 0; sent < totalBytes; sent += size) await sendWithBackpressure(stream, payload);
  const closing = stream.close();
  let got = 0;
  for await (const c of stream) got += c.byteLength;
  await closing;
  if (got !== replyBytes) throw new Error(`upload reply: got ${got} bytes, expected ${replyBytes}`);
  return performance.now() - t0;
}

// Warm-up doubles as calibration: grow the upload until one takes `warmupMs`, then size the measured
// uploads so each lasts about `ms` at the warm-up rate.
async function calibrate(conn, size, warmupMs) {
  let bytes = 64 * size;
  for (;;) {
    const ms = await upload(conn, { size, totalBytes: bytes });
    if (ms >= warmupMs || bytes >= 1 << 30) return bytes / ms;
    bytes *= Math.min(8, Math.max(2, Math.ceil(warmupMs / Math.max(ms, 1))));
  }
}

async function testUpload(client, server, p) {
  const conn = await client.dial(server.addr);
  const bytesPerMs = await calibrate(conn, p.size, p.warmupMs);
  const bytes = Math.max(64, Math.round((bytesPerMs * p.ms) / p.size)) * p.size;
  const runs = [];
  for (let r = 0; r < p.repeat; r++) {
    const c0 = process.cpuUsage();
    const s0 = await server.cpu();
    const ms = await upload(conn, { size: p.size, totalBytes: bytes });
    const clientCpuS = cpuSeconds(process.cpuUsage(c0));
    const serverCpuS = server.separate ? cpuSeconds(await server.cpu()) - cpuSeconds(s0) : null;
    runs.push({
      ms,
      msgsPerSec: bytes / p.size / (ms / 1000),
      MBps: bytes / ms / 1e3,
      clientCpuS,
      serverCpuS,
    });
  }
  await conn.close();
  const rates = runs.map((r) => r.msgsPerSec);
  const mid = runs.find((r) => r.msgsPerSec === median(rates));
  return {
    size: p.size,
    procs: p.procs,
    repeat: p.repeat,
    bytesPerRun: bytes,
    msgsPerSec: mid.msgsPerSec,
    MBps: mid.MBps,
    minMsgsPerSec: Math.min(...rates),
    maxMsgsPerSec: Math.max(...rates),
    clientCpuSPerGB: mid.clientCpuS / (bytes / 1e9),
    serverCpuSPerGB: mid.serverCpuS === null ? null : mid.serverCpuS / (bytes / 1e9),
    clientCpuUsPerMsg: (mid.clientCpuS * 1e6) / (bytes / p.size),
  };
}

async function testRtt(client, server, p) {
  const conn = await client.dial(server.addr);
  const stream = await conn.newStream(ECHO);
  const msg = new Uint8Array(p.size).fill(5);
  let pending = 0;
  let wake = null;
  stream.addEventListener('message', (e) => {
    pending += e.data.byteLength;
    if (pending >= p.size && wake) {
      pending -= p.size;
      const w = wake;
      wake = null;
      w();
    }
  });
  const roundTrip = () => {
    const done = new Promise((r) => {
      wake = r;
    });
    stream.send(msg);
    return done;
  };
  for (let i = 0; i < p.warmupCount; i++) await roundTrip();
  const samples = [];
  const deadline = performance.now() + p.ms;
  while (performance.now() < deadline || samples.length < 100) {
    const t = performance.now();
    await roundTrip();
    samples.push((performance.now() - t) * 1000);
  }
  await stream.close();
  await conn.close();
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((x, y) => x + y, 0) / samples.length;
  return {
    size: p.size,
    procs: p.procs,
    samples: samples.length,
    p50us: percentile(samples, 0.5),
    p99us: percentile(samples, 0.99),
    roundTripsPerSec: 1e6 / mean,
  };
}

async function testDial(client, server, p) {
  const dialMs = [];
  const totalMs = [];
  let c0 = null;
  let s0 = null;
  for (let i = 0; i < p.warmupCount + p.count; i++) {
    if (i === p.warmupCount) {
      c0 = process.cpuUsage();
      s0 = await server.cpu();
    }
    const t0 = performance.now();
    const conn = await client.dial(server.addr, { force: true });
    const t1 = performance.now();
    await upload(conn, { size: 1, totalBytes: 1, replyBytes: 1 });
    const t2 = performance.now();
    await conn.close();
    if (i >= p.warmupCount) {
      dialMs.push(t1 - t0);
      totalMs.push(t2 - t0);
    }
  }
  const clientCpuS = cpuSeconds(process.cpuUsage(c0));
  const serverCpuS = cpuSeconds(await server.cpu()) - cpuSeconds(s0);
  dialMs.sort((a, b) => a - b);
  totalMs.sort((a, b) => a - b);
  return {
    count: p.count,
    dialP50ms: percentile(dialMs, 0.5),
    dialP99ms: percentile(dialMs, 0.99),
    setupP50ms: percentile(totalMs, 0.5),
    setupP99ms: percentile(totalMs, 0.99),
    clientCpuMsPerConn: (clientCpuS * 1000) / p.count,
    serverCpuMsPerConn: (serverCpuS * 1000) / p.count,
    connsPerSec: p.count / (totalMs.reduce((x, y) => x + y, 0) / 1000),
  };
}

async function testConns(client, server, p) {
  if (typeof globalThis.gc !== 'function') throw new Error('conns needs node --expose-gc');
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const sample = async () => ({ client: gcMemory(), server: await server.mem() });
  const warm = await client.dial(server.addr, { force: true });
  await upload(warm, { size: 1, totalBytes: 1, replyBytes: 1 });
  // Sampled twice on each side of the dials, the same as peerwire's figure (bench/memory.ts): right
  // after the burst (burstMs) and once both processes have been idle for settleMs.
  const beforeBurst = await sample();
  await sleep(p.settleMs);
  const beforeIdle = await sample();
  const conns = [];
  for (let i = 0; i < p.count; i++) {
    const conn = await client.dial(server.addr, { force: true });
    await upload(conn, { size: 1, totalBytes: 1, replyBytes: 1 });
    conns.push(conn);
  }
  await sleep(p.burstMs);
  const afterBurst = await sample();
  await sleep(p.settleMs - p.burstMs);
  const afterIdle = await sample();
  const perConnKiB = (a, b, side, field) =>
    side === 'server' && !server.separate ? null : (b[side][field] - a[side][field]) / 1024 / p.count;
  const out = {
    count: p.count,
    clientHeapKiBPerConn: perConnKiB(beforeBurst, afterBurst, 'client', 'heapUsed'),
    clientRssKiBPerConn: perConnKiB(beforeBurst, afterBurst, 'client', 'rss'),
    serverHeapKiBPerConn: perConnKiB(beforeBurst, afterBurst, 'server', 'heapUsed'),
    serverRssKiBPerConn: perConnKiB(beforeBurst, afterBurst, 'server', 'rss'),
    clientHeapKiBPerConnIdle: perConnKiB(beforeIdle, afterIdle, 'client', 'heapUsed'),
    clientRssKiBPerConnIdle: perConnKiB(beforeIdle, afterIdle, 'client', 'rss'),
    serverHeapKiBPerConnIdle: perConnKiB(beforeIdle, afterIdle, 'server', 'heapUsed'),
    serverRssKiBPerConnIdle: perConnKiB(beforeIdle, afterIdle, 'server', 'rss'),
  };
  await Promise.all(conns.map((c) => c.close()));
  await warm.close();
  return out;
}

const TESTS = { msgs: testUpload, upload: testUpload, rtt: testRtt, dial: testDial, conns: testConns };

async function main() {
  const [test, json] = process.argv.slice(2);
  const run = TESTS[test];
  if (!run) throw new Error(`unknown test ${test}; one of ${Object.keys(TESTS).join(', ')}`);
  const params = { procs: 2, ...JSON.parse(json ?? '{}') };
  const server = await openServer(params.procs);
  const client = await makeNode(false);
  try {
    const result = await run(client, server, params);
    process.stdout.write(`RESULT ${JSON.stringify({ test, ...result })}\n`);
  } finally {
    await client.stop();
    await server.stop();
  }
}

// ---- entry point (last, so every const above is initialised) --------------------------------------

if (process.env.PEERWIRE_L2P_CHILD === '1') {
  const node = await startServer();
  process.on('message', (m) => {
    if (m.op === 'cpu') process.send({ id: m.id, value: process.cpuUsage() });
    else if (m.op === 'mem') process.send({ id: m.id, value: gcMemory() });
    else if (m.op === 'exit') {
      setTimeout(() => process.exit(0), 1000).unref();
      node.stop().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ id: 0, value: node.getMultiaddrs()[0].toString() });
} else {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
