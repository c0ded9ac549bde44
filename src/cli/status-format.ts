// `peerwire status` for people: the /status document (engine/node/node-status.ts) as a headline and
// three tables — peers (id, direction, address, connected for, bytes in and out, round trip), channels
// (id and inbound queue depth) and the peer store's counts. Tolerant of missing fields: the document
// comes over HTTP from whatever node answered.

import { formatBytes, formatDuration, formatTable } from './text-table.ts';

interface StatusPeer {
  readonly id?: unknown;
  readonly direction?: unknown;
  readonly remote?: unknown;
  readonly connectedAt?: unknown;
  readonly bytesReceived?: unknown;
  readonly bytesSent?: unknown;
  readonly queuedBytes?: unknown;
  readonly rttMs?: unknown;
  readonly name?: unknown;
}

const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '-');
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** Longest peer id shown: CometBFT ids are 40 hex digits; 16 tell peers apart. */
const ID_WIDTH = 16;

export function formatStatus(doc: Record<string, unknown>, now = Date.now()): string {
  const out: string[] = [];
  const uptime = num(doc.uptimeSeconds);
  out.push(
    `${text(doc.wire)} node ${text(doc.id)} on ${text(doc.network)}, listening on ${text(doc.listen)}${uptime === undefined ? '' : `, up ${formatDuration(uptime)}`}`,
  );
  const peers = (Array.isArray(doc.peers) ? doc.peers : []) as StatusPeer[];
  out.push('', `PEERS (${peers.length})`);
  if (peers.length === 0) out.push('(none)');
  else {
    out.push(
      formatTable(
        ['ID', 'DIRECTION', 'ADDRESS', 'CONNECTED FOR', 'BYTES IN', 'BYTES OUT', 'QUEUED', 'RTT', 'NAME'],
        peers.map((p) => {
          const at = num(p.connectedAt);
          const rtt = num(p.rttMs);
          return [
            text(p.id).slice(0, ID_WIDTH),
            text(p.direction),
            text(p.remote),
            at === undefined ? '-' : formatDuration((now - at) / 1000),
            formatBytes(num(p.bytesReceived) ?? 0),
            formatBytes(num(p.bytesSent) ?? 0),
            formatBytes(num(p.queuedBytes) ?? 0),
            rtt === undefined ? '-' : `${rtt < 10 ? rtt.toFixed(1) : Math.round(rtt)} ms`,
            text(p.name).slice(0, 40),
          ];
        }),
        { right: [3, 4, 5, 6, 7] },
      ),
    );
  }
  const channels = (Array.isArray(doc.channels) ? doc.channels : []) as { id?: unknown; queued?: unknown }[];
  out.push('', 'CHANNELS');
  out.push(
    formatTable(
      ['ID', 'QUEUE DEPTH'],
      channels.map((c) => [num(c.id) === undefined ? '-' : `0x${num(c.id)!.toString(16).padStart(2, '0')}`, text(c.queued)]),
      { right: [1] },
    ),
  );
  const store = doc.peerStore !== null && typeof doc.peerStore === 'object' ? (doc.peerStore as Record<string, unknown>) : {};
  out.push('', 'PEER STORE');
  out.push(formatTable(Object.keys(store).map((k) => k.toUpperCase()), [Object.values(store).map(text)], { right: Object.keys(store).map((_k, i) => i) }));
  return `${out.join('\n')}\n`;
}
