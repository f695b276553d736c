// Lists native sources for binding.gyp so new kernels need no edit there:
// `avx2` → every native/**/*_avx2.cc, `generic` → every other .cc (and .cpp).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const want = process.argv[2];
const out = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'cuda') walk(p); continue; }
    if (!/\.(cc|cpp)$/.test(name) || name === 'empty.cc') continue;
    const isAvx2 = /_avx2\.(cc|cpp)$/.test(name);
    if ((want === 'avx2') === isAvx2) out.push(relative(root, p).split('\\').join('/'));
  }
})(join(root, 'native'));
if (out.length === 0) out.push('native/core/empty.cc');
console.log(out.join('\n'));
