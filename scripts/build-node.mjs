// Bundles the Node-side entry points (Electron main and preload, the engine
// process, the command line, browser-mode server, benchmarks) into dist/*.cjs.
// Dependencies are bundled so dist/ runs without a TypeScript loader; the
// native addon is found at run time (see electron/studio/native/addon.ts).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = {
  main: 'electron/main/index.ts',
  preload: 'electron/preload/index.ts',
  'engine-host': 'electron/studio/service/engine-host.ts',
  cli: 'electron/cli/index.ts',
  serve: 'electron/serve/index.ts',
  bench: 'bench/index.ts',
};

const present = Object.fromEntries(Object.entries(entries).filter(([, src]) => existsSync(root + src)));

await build({
  absWorkingDir: root,
  entryPoints: present,
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['electron', 'bufferutil', 'utf-8-validate', 'playwright-core'],
  // Sources use import.meta.url (ESM); give CJS bundles an equivalent.
  define: { 'import.meta.url': '__mcs_import_meta_url' },
  banner: { js: "const __mcs_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
});
