// A TypeScript program that depends on the installed peerwire package. test/package/pack.test.ts
// type-checks it with tsc under `moduleResolution` node16 and bundler: the published declarations
// must resolve, and be real types (each @ts-expect-error below fails the check if a type were `any`).
import { ManualClock, MemoryPeerStore, PeerwireError, utf8Codec, type Envelope, type MessageCodec } from 'peerwire';
import { createCometbftNode, proto, protobufOneofCodec, type CometbftNodeOptions, type NodeInfo } from 'peerwire/cometbft';
import { ZCASH_MAINNET, ZcashCodec, type ZcashMessage } from 'peerwire/zcash';

const options: CometbftNodeOptions = { chainId: 'consumer', listen: { host: '127.0.0.1', port: 0 }, pex: false };
// @ts-expect-error chainId is a string
const wrong: CometbftNodeOptions = { chainId: 42, listen: { host: '127.0.0.1', port: 0 } };

export async function mempoolTransactions(): Promise<Uint8Array[]> {
  const node = await createCometbftNode(options);
  const mempool = node.openChannel(0x30, protobufOneofCodec(proto.mempool.MessageSchema));
  const out: Uint8Array[] = [];
  for await (const envelope of mempool) {
    if (envelope.message.case === 'txs') out.push(...envelope.message.value.txs);
    break;
  }
  await node.stop();
  return out;
}

export function firstMessage(bytes: Uint8Array): ZcashMessage | undefined {
  const codec = new ZcashCodec({ network: ZCASH_MAINNET });
  codec.push(bytes);
  return codec.next();
}

export function describe(info: NodeInfo, envelope: Envelope<string>): string {
  // @ts-expect-error a NodeInfo has no such field
  const missing: unknown = info.notAField;
  return `${info.network} ${envelope.from}: ${envelope.message}${missing === undefined ? '' : '?'}`;
}

export const text: MessageCodec<string> = utf8Codec;
export const clock = new ManualClock();
export const store = new MemoryPeerStore();
export const isError = (e: unknown): boolean => e instanceof PeerwireError;
export { wrong };
