// The files the shell may hand to the engine: the bundled sample, and what the
// user chose in this session (a dialog, a dropped file, a typed path in browser
// mode, a recent model). Checked on real paths, so `..` and symlinks cannot
// lead outside what was granted.
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { homedir } from 'node:os';
import { StudioError } from '../../common/errors.js';

export type Access = 'read' | 'write';

interface Grant {
  real: string;
  access: Access;
  /** A folder granted for reading covers what is inside it; write grants are the exact path (a file or an output folder). */
  folder: boolean;
}

/** Expands `~`, requires an absolute path, and normalises it (no `..` left). */
export function normalizeUserPath(p: string): string {
  const expanded = p === '~' ? homedir() : p.startsWith('~/') || p.startsWith('~\\') ? join(homedir(), p.slice(2)) : p;
  if (!isAbsolute(expanded)) throw new StudioError('INVALID_ARGUMENT', `"${p}" is not a full path: give the whole path, starting at the root`);
  return resolve(expanded);
}

/**
 * The real path of `p`, or, for a file that does not exist yet (a save target),
 * the real path of its folder joined with its name.
 */
export function realPathOf(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    try {
      return join(realpathSync.native(dirname(p)), basename(p));
    } catch {
      throw new StudioError('NOT_FOUND', `${dirname(p)}: folder not found`, { file: p });
    }
  }
}

function isInside(child: string, folder: string): boolean {
  const rel = relative(folder, child);
  return rel === '' || (!!rel && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

export class PathGrants {
  private readonly grants: Grant[] = [];

  /** `readRoots` are always readable (the bundled sample). */
  constructor(readRoots: string[] = []) {
    for (const root of readRoots) this.grant(root, 'read');
  }

  grant(path: string, access: Access): void {
    const real = realPathOf(normalizeUserPath(path));
    let folder = false;
    try {
      folder = statSync(real).isDirectory();
    } catch {
      folder = false;
    }
    if (!this.grants.some((g) => g.real === real && g.access === access)) this.grants.push({ real, access, folder });
  }

  allows(path: string, access: Access): boolean {
    let real: string;
    try {
      real = realPathOf(normalizeUserPath(path));
    } catch {
      return false;
    }
    return this.grants.some((g) => {
      if (access === 'write') return g.access === 'write' && g.real === real;
      // A file chosen for saving may be read back (re-open an export).
      return g.real === real || (g.folder && g.access === 'read' && isInside(real, g.real));
    });
  }
}
