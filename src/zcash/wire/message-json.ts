// JSON-ready descriptions of Zcash-family wire messages for people (`peerwire decode`, logs): hashes
// in display order (chain-json.ts), inventory entries named by type, amounts and 64-bit values as
// decimal strings. Also the connection rules a stateless decoder cannot apply, stated as notes: the
// bytes are well-formed, but a live connection would refuse or ignore the message, and why.

import { describeBlock, describeHeader, describeTransaction, type Json } from '../chain/chain-json.ts';
import { merkleRoot } from '../chain/merkle.ts';
import type { InventoryItem } from '../chain/inventory.ts';
import { bytesEqual, hashToDisplayHex } from '../encoding/hashes.ts';
import type { ZcashMessage } from './messages.ts';

const display = hashToDisplayHex;

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function describeInventoryItem(item: InventoryItem): Json {
  if (item.type === 'wtx') return { type: 'wtx', txid: display(item.txid), authDigest: display(item.authDigest) };
  return { type: item.type, hash: display(item.hash) };
}

/** The message as JSON (its `command` first). */
export function describeMessage(m: ZcashMessage): Json {
  switch (m.command) {
    case 'version':
      return {
        command: m.command,
        version: m.version,
        services: m.services.toString(),
        timestamp: m.timestamp,
        addrRecv: { ...m.addrRecv, services: m.addrRecv.services.toString() },
        addrFrom: { ...m.addrFrom, services: m.addrFrom.services.toString() },
        nonce: m.nonce.toString(),
        userAgent: m.userAgent,
        startHeight: m.startHeight,
        relay: m.relay,
      };
    case 'ping':
    case 'pong':
      return { command: m.command, nonce: m.nonce.toString() };
    case 'reject':
      return { command: m.command, message: m.message, ccode: m.ccode, reason: m.reason, ...(m.data === undefined ? {} : { data: display(m.data) }) };
    case 'addr':
    case 'addrv2':
      return {
        command: m.command,
        addrs: m.addrs.map((a) => ({ ...a, services: a.services.toString() })),
        ...(m.command === 'addrv2' ? { skipped: m.skipped } : {}),
      };
    case 'inv':
    case 'getdata':
    case 'notfound':
      return { command: m.command, count: m.items.length, items: m.items.map(describeInventoryItem) };
    case 'getblocks':
    case 'getheaders':
      return { command: m.command, version: m.version, locator: m.locator.map(display), stop: m.stop === undefined ? null : display(m.stop) };
    case 'headers':
      return { command: m.command, count: m.headers.length, headers: m.headers.map(describeHeader) };
    case 'block':
      return { command: m.command, block: describeBlock(m.block) };
    case 'tx':
      return { command: m.command, tx: describeTransaction(m.tx) };
    case 'filterload':
      return { command: m.command, filter: hex(m.filter), hashFunctions: m.hashFunctions, tweak: m.tweak, flags: m.flags };
    case 'filteradd':
      return { command: m.command, data: hex(m.data) };
    case 'unknown':
      return { command: m.command, name: m.name, length: m.body.length };
    default:
      return { command: m.command };
  }
}

export interface NoteContext {
  /** The version we would negotiate at most (the network's protocol version). */
  readonly protocolVersion: number;
  readonly networkName: string;
}

/** Connection rules the message breaks although its bytes are well-formed; empty when none. */
export function connectionNotes(m: ZcashMessage, ctx: NoteContext): string[] {
  const notes: string[] = [];
  if ((m.command === 'getblocks' || m.command === 'getheaders') && m.version !== undefined && m.version !== ctx.protocolVersion) {
    notes.push(
      `a connection would refuse this unless ${m.version} is the negotiated version: Zebra requires the ${m.command} version to equal min(ours, theirs), and ours on ${ctx.networkName} is ${ctx.protocolVersion}`,
    );
  }
  if (m.command === 'block') {
    const root = merkleRoot(m.block.transactions.map((tx) => tx.txid));
    if (!bytesEqual(root, m.block.header.merkleRoot)) {
      notes.push(`a node would reject this block: the transactions' merkle root is ${display(root)}, the header says ${display(m.block.header.merkleRoot)}`);
    }
  }
  if (m.command === 'unknown') notes.push(`a Zebra connection ignores the "${m.name}" command (counted and dropped, the connection stays up)`);
  return notes;
}
