#!/usr/bin/env node
// Launcher for `npx mcs`: the command line is bundled to dist/cli.cjs by `npm install` (prepare).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('mcs: dist/cli.cjs is missing; run "npm install" or "npm run build" first\n');
  process.exit(2);
}
createRequire(import.meta.url)(cli);
