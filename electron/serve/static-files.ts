// Maps a request path to a file of the built renderer, refusing anything that
// would leave its folder (`..`, encoded slashes, NUL). Shared by the browser-mode
// server and the desktop app's app:// protocol.
import { existsSync, statSync } from 'node:fs';
import { extname, join, posix, relative, sep, isAbsolute } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export interface StaticFile {
  path: string;
  contentType: string;
}

/** The file for `urlPath` (already without query), or null when there is none or it is not allowed. */
export function resolveStaticFile(root: string, urlPath: string): StaticFile | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || !decoded.startsWith('/')) return null;
  const clean = posix.normalize(decoded);
  if (clean.split('/').includes('..')) return null;
  const rel = clean === '/' ? 'index.html' : clean.slice(1);
  const file = join(root, ...rel.split('/'));
  const back = relative(root, file);
  if (back.startsWith('..' + sep) || back === '..' || isAbsolute(back)) return null;
  if (!existsSync(file) || !statSync(file).isFile()) return null;
  return { path: file, contentType: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' };
}
