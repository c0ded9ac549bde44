// CometBFT peer exchange: the PEX message codec and the reactor (AddressExchange with CometBFT's rules).

export { isPexAddress, pexCodec, PexErrorCode } from './pex-codec.ts';
export {
  COMETBFT_PEX_RULES,
  CometbftPex,
  cometbftPex,
  PEX_BAN_MS,
  PEX_FREE_INBOUND_REQUESTS,
  PEX_MAX_ADDRESSES,
  PEX_MIN_INBOUND_REQUEST_INTERVAL_MS,
  PEX_REQUEST_INTERVAL_MS,
  type CometbftPexOptions,
} from './pex-reactor.ts';
