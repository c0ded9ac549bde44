import { openSide, summarize, sleep } from '../harness.ts';
import { benchLocalNode, benchTransport, DATA_CHANNEL, dialPeer, roundTrip } from './cometbft-bench.ts';
const PEER = new URL('./cometbft-peer-side.ts', import.meta.url);
const rate = process.argv[2] ? Number(process.argv[2]) : undefined;
const side = await openSide(PEER, { procs: 2 });
const port = await side.call<number>('listen');
const transport = benchTransport(rate ? { sendRate: rate } : {});
const open = await dialPeer(transport, benchLocalNode('d'), port);
const msg = new Uint8Array(1024);
for (let i = 0; i < 200; i++) await roundTrip(open, msg);
const big = new Uint8Array(65536);
let stop = false, sent = 0;
const t0 = performance.now();
const loop = (async () => { while (!stop) { if (!open.conn.send(DATA_CHANNEL, big)) await open.conn.drained(); sent += big.length; } })();
for (let k=0;k<6;k++){ await sleep(50); const got = await side.call<number>('waitFor', {target: 0}); console.log('t', (performance.now()-t0).toFixed(0), 'sent', (sent/1e6).toFixed(1), 'recv', (got/1e6).toFixed(1)); }
const s: number[] = [];
for (let i = 0; i < 30; i++) { const t = performance.now(); await roundTrip(open, msg); s.push(performance.now() - t); if (i % 10) continue; const got = await side.call<number>('waitFor', {target: 0}); console.log('recv MB', (got/1e6).toFixed(1), 'rtt ms', (performance.now() - t).toFixed(2), 'buffered', open.conn.bufferedBytes, 'sent MB', (sent/1e6).toFixed(1)); }
stop = true;
let done = false; void loop.then(() => { done = true; });
for (let k = 0; k < 8 && !done; k++) { await sleep(500); const pump = (open.conn as any).pump; const got = await side.call<number>('waitFor', {target: 0});
 console.log('after stop: recv', (got/1e6).toFixed(2), 'timer', pump.timer !== undefined, 'timerIn', pump.timerAt - Date.now(), 'pending', pump.core.hasPendingSend(), 'ovf', pump.overflowCount, 'waiting', pump.waitingForLink, 'sched', pump.flushScheduled, JSON.stringify(pump.core.channelStats()), 'tokens', pump.core.sendLimiter.tokens); }
await loop;
console.log('MB/s', sent / (performance.now() - t0) / 1e3, summarize(s));
open.conn.close(); await transport.close(); await side.close();
