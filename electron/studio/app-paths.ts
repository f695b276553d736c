// Where the app's own files are, from sources (tests), from dist/ bundles and
// from a packaged app (app.asar, with the addon and the sample unpacked beside it).
import { existsSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleModelPath } from './resources.js';

let cachedRoot: string | undefined;

/** The folder holding the app's package.json. */
export function appRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (cachedRoot = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the app folder above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Files the native code memory-maps cannot live inside app.asar; the packager unpacks them. */
const unpacked = (p: string): string => p.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');

export const rendererDir = (): string => join(appRoot(), 'renderer-dist');
export const engineHostModule = (): string => join(appRoot(), 'dist', 'engine-host.cjs');

export function sampleModel(): { name: string; path: string } | null {
  try {
    return { name: 'stories260K', path: unpacked(sampleModelPath()) };
  } catch {
    return null;
  }
}

/** Browser mode's settings folder (the desktop app uses Electron's userData). */
export function browserSettingsDir(): string {
  if (process.env.MCS_CONFIG_DIR) return process.env.MCS_CONFIG_DIR;
  if (process.platform === 'win32' && process.env.APPDATA) return join(process.env.APPDATA, 'Model Compression Studio');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Model Compression Studio');
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'model-compression-studio');
}

/** Browser mode's work folder for compress outputs waiting to be exported (a cache: safe to delete). */
export function browserWorkDir(): string {
  if (process.env.MCS_WORK_DIR) return process.env.MCS_WORK_DIR;
  if (process.platform === 'win32' && process.env.LOCALAPPDATA) return join(process.env.LOCALAPPDATA, 'Model Compression Studio', 'work');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'Model Compression Studio', 'work');
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'model-compression-studio', 'work');
}

/** When no shell said where: the system's temporary folder, per user. */
export function workDirFallback(): string {
  return join(tmpdir(), `mcs-work-${userInfo().username}`);
}
