// ZebraPolicy keeps the peer-policy contract (test/engine/peers/policy-contract.ts) that every policy
// on the shared PeerManager keeps, with Zcash `ip:port` peer ids.

import { ZebraPolicy } from '../../../src/zcash/policy/zebra-policy.ts';
import { runPolicyContract } from '../../engine/peers/policy-contract.ts';
import { naddr, zaddr } from './zebra-fixtures.ts';

runPolicyContract('zebra', {
  create: () => new ZebraPolicy(),
  address: (n) => naddr(zaddr(n)),
  idOf: (n) => zaddr(n),
});
