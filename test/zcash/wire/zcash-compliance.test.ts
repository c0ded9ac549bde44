// The Zcash wire against the shared transport compliance suite, over the memory carrier and over TCP
// on 127.0.0.1, on regtest parameters. The suite's messages ride inventory lists and PeerInfo is
// checked as a Zcash peer reports it (compliance-adapter.ts). The wire has a fixed channel set and one
// message limit (2 MiB bodies), so the cases about declared channels and per-channel capacities do not
// run here (the suite's title says so); its own limits are tested in connection.test.ts and
// frame-decoder.test.ts.

import { ZCASH_REGTEST } from '../../../src/zcash/params/network-params.ts';
import { runTransportCompliance } from '../../transport/compliance.ts';
import { memoryHarness, tcpHarness } from '../../transport/compliance-harnesses.ts';
import { zcashComplianceWire, zcashHarnessExtras } from './compliance-adapter.ts';

const network = ZCASH_REGTEST;
const fixedChannels = { declaredChannels: false } as const;

runTransportCompliance(
  'memory + zcash',
  () => memoryHarness((name) => zcashComplianceWire(network, name), zcashHarnessExtras(network)),
  fixedChannels,
);
runTransportCompliance(
  'tcp + zcash',
  () => tcpHarness((name) => zcashComplianceWire(network, name), zcashHarnessExtras(network)),
  fixedChannels,
);
