// A Hugging Face model folder written atomically: everything goes into a
// temporary sibling folder, which replaces the target only when complete.
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { StudioError } from '../../common/errors.js';

/** Files copied next to the weights so the folder loads on its own. */
export const COMPANION_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'tokenizer.model',
  'vocab.json',
  'merges.txt',
  'generation_config.json',
  'chat_template.jinja',
];

export class OutputFolder {
  private constructor(readonly target: string, readonly tmp: string) {}

  static async create(target: string, overwrite: boolean): Promise<OutputFolder> {
    const exists = await stat(target).then(() => true, () => false);
    if (exists && !overwrite) throw new StudioError('INVALID_ARGUMENT', `${target} already exists (choose another name, or overwrite)`, { file: target });
    const parent = dirname(target);
    if (!(await stat(parent).then((s) => s.isDirectory(), () => false))) {
      throw new StudioError('NOT_FOUND', `${parent}: the folder to write into does not exist`, { file: parent });
    }
    const tmp = join(parent, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
    await mkdir(tmp);
    return new OutputFolder(target, tmp);
  }

  file(name: string): string {
    return join(this.tmp, name);
  }

  async copyCompanions(sourceFolder: string): Promise<string[]> {
    const copied: string[] = [];
    for (const name of COMPANION_FILES) {
      const from = join(sourceFolder, name);
      if (await stat(from).then((s) => s.isFile(), () => false)) {
        await copyFile(from, this.file(name));
        copied.push(name);
      }
    }
    return copied;
  }

  /** Moves the finished folder into place (replacing an old one only now). */
  async commit(): Promise<void> {
    const old = `${this.tmp}.old`;
    const replaced = await rename(this.target, old).then(() => true, () => false);
    await rename(this.tmp, this.target);
    if (replaced) await rm(old, { recursive: true, force: true });
  }

  async abort(): Promise<void> {
    await rm(this.tmp, { recursive: true, force: true });
  }
}
