// The CometBFT wire against the shared transport compliance suite, over the memory carrier and over
// TCP on 127.0.0.1. The suite's nodes announce `memory:name` listen addresses (memoryListenAddresses).
// One case sends on a channel the receiver did not advertise, which a production connection refuses
// to do: the connections here are the test-side AnyChannelConnection, which writes such messages as
// raw sealed packets.

import type { CometbftWireOptions } from '../../../src/cometbft/wire/cometbft-wire.ts';
import { runTransportCompliance } from '../../transport/compliance.ts';
import { memoryHarness, tcpHarness } from '../../transport/compliance-harnesses.ts';
import { anyChannelWire } from './any-channel-connection.ts';

const options: CometbftWireOptions = { memoryListenAddresses: true };

runTransportCompliance('memory + cometbft', () => memoryHarness(() => anyChannelWire(options)));
runTransportCompliance('tcp + cometbft', () => tcpHarness(() => anyChannelWire(options)));
