// Paths of files shipped with the app (the sample model). Found by walking up
// from this module, so it works from sources, dist/ bundles and app.asar.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findUp(relative: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The bundled sample model (a Hugging Face folder), the default MODEL everywhere. */
export function sampleModelPath(): string {
  const p = findUp(join('resources', 'sample', 'stories260K'));
  if (!p) throw new Error('the bundled sample model (resources/sample/stories260K) is missing from this installation');
  return p;
}

/** The bundled evaluation text for the sample model (TinyStories excerpt, CDLA-Sharing-1.0). */
export function sampleTextPath(): string {
  const p = findUp(join('resources', 'sample', 'tinystories-valid-excerpt.txt'));
  if (!p) throw new Error('the bundled sample text (resources/sample/tinystories-valid-excerpt.txt) is missing from this installation');
  return p;
}
