// bcoin 1.0.2's transaction, block and header parsers (a dev dependency without type declarations),
// typed narrowly for differential tests: an independent implementation of the Bitcoin formats.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface BcoinTx {
  txid(): string;
  wtxid(): string;
  hasWitness(): boolean;
  readonly version: number;
  readonly locktime: number;
  readonly inputs: readonly { readonly sequence: number; readonly script: { toRaw(): Buffer }; readonly witness: { readonly items: readonly Buffer[] } }[];
  readonly outputs: readonly { readonly value: number; readonly script: { toRaw(): Buffer } }[];
}

export interface BcoinBlockShape {
  rhash(): string;
  readonly txs: readonly BcoinTx[];
}

export interface BcoinHeaders {
  rhash(): string;
  readonly version: number;
  readonly time: number;
  readonly bits: number;
  readonly nonce: number;
}

export const BcoinTX = require('bcoin/lib/primitives/tx.js') as { fromRaw(data: Buffer): BcoinTx };
export const BcoinBlock = require('bcoin/lib/primitives/block.js') as { fromRaw(data: Buffer): BcoinBlockShape };
export const BcoinHeadersParser = require('bcoin/lib/primitives/headers.js') as { fromHead(data: Buffer): BcoinHeaders };
