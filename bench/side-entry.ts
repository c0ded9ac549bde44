// Entry point of a forked benchmark side (see side-process.ts): loads the side module named by the
// first argument and answers the parent's requests until told to close or until the parent goes away.

import { serveSide } from './side-process.ts';
import { ErrorCode, PeerwireError } from '../src/core/errors.ts';

const moduleHref = process.argv[2];
if (moduleHref === undefined || process.send === undefined) {
  throw new PeerwireError(
    ErrorCode.InvalidArgument,
    'side-entry.ts is forked by openSide(), not run directly',
  );
}
await serveSide(new URL(moduleHref));
