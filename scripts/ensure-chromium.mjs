// Test setup for the web view's browser test (test/cli/web-view.test.ts): makes sure Debian's
// `chromium` is installed. When it is missing and we are root on a system with apt-get (a CI
// container), installs it; otherwise prints one line saying why the browser test will skip. Never
// fails the run: the browser test itself reports the skip.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CHROMIUM = process.env.PEERWIRE_CHROMIUM ?? '/usr/bin/chromium';

if (existsSync(CHROMIUM)) process.exit(0);
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!root || !apt) {
  console.log(`ensure-chromium: ${CHROMIUM} is missing and cannot be installed here (${root ? 'no apt-get' : 'not root'}): the browser test will skip`);
  process.exit(0);
}
console.log('ensure-chromium: installing Debian chromium for the browser test');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
if (install.status !== 0 || !existsSync(CHROMIUM)) console.log('ensure-chromium: installing chromium failed: the browser test will skip');
