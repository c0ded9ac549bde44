// The physical baselines, in the order they run: everything a peerwire figure is divided by that does
// not depend on another library (raw TCP, the sealed-frame ceiling, node:crypto hashing).

import type { Suite } from '../harness.ts';
import { sealedSuite } from './sealed.ts';
import { shaSuite } from './sha.ts';
import { tcpSuite } from './tcp.ts';

export const baselineSuites: readonly Suite[] = [tcpSuite, sealedSuite, shaSuite];
