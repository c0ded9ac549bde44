#!/usr/bin/env node
// The peerwire command: runs src/cli/main.ts through tsx (peerwire ships TypeScript and has no build).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
