// Loads the native addon (build/Release/mcs_native.node) and gives it types.
// The same binary loads in Node and Electron (Node-API is ABI-stable).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StudioError } from '../../common/errors.js';

/** A tensor as the native code reads it: bytes in a JS buffer or a mapped file range. */
export type NativeTensor = {
  dtype: string;
  shape: number[];
  name?: string;
} & ({ data: ArrayBufferView | ArrayBuffer } | { file: NativeMappedFile; offset: number; byteLength: number });

export interface NativeMappedFile {
  readonly size: number;
  readonly path: string | undefined;
  read(offset: number, length: number): Buffer;
  close(): void;
}

export interface NativeCancelToken {
  cancel(): void;
  readonly cancelled: boolean;
}

/** Passed as the last argument of every async native call. */
export interface NativeJobOptions {
  signal?: NativeCancelToken;
  onProgress?: (done: number, total: number, stage: string) => void;
  /** Run the plain scalar reference instead of the fast path (tests). */
  reference?: boolean;
}

/**
 * The addon's exports. Core members are here; each kernel module declares its
 * own members next to its TypeScript wrapper by augmenting this interface
 * (`declare module '../native/addon.js' { interface NativeAddon { ... } }`),
 * so modules never edit one shared list.
 */
export interface NativeAddon {
  MappedFile: new (path: string) => NativeMappedFile;
  CancelToken: new () => NativeCancelToken;
  systemInfo(): { simd: string; avx2: boolean; threads: number };
  setThreads(n: number): void;
  setSimd(enabled: boolean): void;
}

const ADDON_FILE = join('build', 'Release', 'mcs_native.node');

function findAddon(): string {
  const override = process.env.MCS_NATIVE_PATH;
  if (override) return override;
  // Walk up from this file: works from sources (vitest), dist/ bundles and app.asar.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, ADDON_FILE);
    if (existsSync(candidate) || existsSync(candidate.replace('app.asar', 'app.asar.unpacked'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new StudioError(
    'INTERNAL',
    `native addon ${ADDON_FILE} not found: run "npm install" (or "npm run build:native") to build it`,
  );
}

let cached: NativeAddon | undefined;

export function native(): NativeAddon {
  if (!cached) {
    const require = createRequire(import.meta.url);
    cached = require(findAddon()) as NativeAddon;
  }
  return cached;
}
