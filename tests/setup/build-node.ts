// Tests that spawn the command line run the bundled dist/cli.cjs: rebuild the
// Node bundles once per test run so they match the sources.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-node.mjs'], { stdio: 'inherit' });
}
