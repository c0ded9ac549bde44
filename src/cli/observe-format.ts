// What `peerwire observe` prints for one message heard on a standard CometBFT channel: event lines
// whose envelope fields (type, peer, channel, kind) never mix with the message's own fields — the
// decoded message sits under `message`, so a consensus message's own `type` (a vote's SignedMsgType)
// cannot overwrite the event's type. A mempool Txs message gives one `tx` event per transaction
// (hash = SHA-256 in upper-case hex, as CometBFT prints it); other reactors give one event typed by
// the reactor (`consensus`, `pex`, ...) carrying the scalar fields worth a line.

import { createHash } from 'node:crypto';
import { describeChannelMessage } from '../cometbft/channels/channel-codec.ts';

/** Consensus fields worth a line (scalars only: block parts and signatures are left out). */
const SCALAR_FIELDS = ['height', 'round', 'step', 'type', 'index', 'validatorIndex', 'validatorAddress', 'secondsSinceStartTime', 'lastCommitRound', 'polRound'];

export type ObservedEvent = Record<string, unknown>;

function pickFields(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (value === null || typeof value !== 'object') return out;
  const record = value as Record<string, unknown>;
  // A Vote or Proposal nests its fields one level down.
  const inner = (record.vote ?? record.proposal ?? record) as Record<string, unknown>;
  for (const field of SCALAR_FIELDS) if (inner[field] !== undefined) out[field] = inner[field];
  return out;
}

/** The SHA-256 of a transaction as CometBFT prints it (upper-case hex). */
export function cometbftTxHash(tx: Uint8Array): string {
  return createHash('sha256').update(tx).digest('hex').toUpperCase();
}

/** The events for `bytes` received from `peer` on standard channel `channelId`; never throws. */
export function observedEvents(channelId: number, bytes: Uint8Array, peer: string): ObservedEvent[] {
  let described;
  try {
    described = describeChannelMessage(channelId, bytes);
  } catch (error) {
    return [{ type: 'malformed', peer, channelId, error: (error as Error).message }];
  }
  const { channel, kind } = described;
  const value = (described.message as { sum?: { value?: unknown } }).sum?.value;
  if (channel.reactor === 'mempool') {
    const txs = (value as { txs?: Uint8Array[] } | undefined)?.txs ?? [];
    return txs.map((tx) => ({ type: 'tx', peer, channel: channel.name, kind, message: { hash: cometbftTxHash(tx), size: tx.length, tx } }));
  }
  return [{ type: channel.reactor, peer, channel: channel.name, kind, message: pickFields(value) }];
}
