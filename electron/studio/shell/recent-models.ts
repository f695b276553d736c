// Models opened recently, remembered across sessions in a small JSON file in
// the settings folder (Electron's userData, or ~/.config/… in browser mode).
import { mkdirSync, readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RecentModel } from '../../common/contract.js';

const MAX = 12;

export class RecentModels {
  private items: RecentModel[] | undefined;

  /** `file` null: remembered for this session only. */
  constructor(private readonly file: string | null, private readonly max = MAX) {}

  list(): RecentModel[] {
    return [...this.load()];
  }

  has(path: string): boolean {
    return this.load().some((r) => r.path === path);
  }

  add(entry: RecentModel): RecentModel[] {
    this.items = [entry, ...this.load().filter((r) => r.path !== entry.path)].slice(0, this.max);
    this.save();
    return this.list();
  }

  forget(path: string): RecentModel[] {
    this.items = this.load().filter((r) => r.path !== path);
    this.save();
    return this.list();
  }

  private load(): RecentModel[] {
    if (this.items) return this.items;
    this.items = [];
    if (!this.file) return this.items;
    try {
      const doc = JSON.parse(readFileSync(this.file, 'utf8')) as { recent?: unknown };
      if (Array.isArray(doc.recent)) this.items = doc.recent.filter(isRecent).slice(0, this.max);
    } catch {
      // Missing or unreadable: start with an empty list rather than fail the window.
    }
    return this.items;
  }

  private save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(tmp, JSON.stringify({ recent: this.items }, null, 2));
      renameSync(tmp, this.file);
    } catch {
      rmSync(tmp, { force: true });
      // Not being able to remember is no reason to fail opening the model.
    }
  }
}

function isRecent(x: unknown): x is RecentModel {
  const r = x as RecentModel;
  return !!r && typeof r.path === 'string' && typeof r.name === 'string' && (r.format === 'hf' || r.format === 'gguf') &&
    typeof r.openedAt === 'number' && typeof r.parameters === 'number' && typeof r.bytesOnDisk === 'number' &&
    typeof r.architecture === 'string';
}
