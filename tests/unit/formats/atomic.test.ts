// Atomic outputs: complete or absent, never half-written; folders replaced whole.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicFileWriter, writeFileAtomic, writeFileAtomically, writeFolderAtomically } from '../../../electron/studio/files/atomic.js';
import { expectStudioError } from './expect-error.js';
import { tempDir } from './make-files.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
const p = (name: string) => join(tmp.dir, name);
const leftovers = () => readdirSync(tmp.dir).filter((f) => f.includes('.tmp'));

describe('atomic files', () => {
  it('writes whole files and replaces old ones', async () => {
    await writeFileAtomic(p('a.json'), '{"v":1}');
    await writeFileAtomic(p('a.json'), new Uint8Array([123, 125]));
    expect(readFileSync(p('a.json'), 'utf8')).toBe('{}');
    expect(leftovers()).toEqual([]);
  });

  it('the target does not exist until commit', async () => {
    const w = await AtomicFileWriter.create(p('b.bin'));
    await w.write(new Uint8Array(1000));
    expect(existsSync(p('b.bin'))).toBe(false);
    expect(existsSync(w.tmpPath)).toBe(true);
    await w.commit();
    expect(readFileSync(p('b.bin')).length).toBe(1000);
    await w.abort(); // after commit: nothing to undo
    expect(existsSync(p('b.bin'))).toBe(true);
  });

  it('an error inside removes the temporary file', async () => {
    await expect(writeFileAtomically(p('c.bin'), async (w) => { await w.write(new Uint8Array(10)); throw new Error('boom'); })).rejects.toThrow('boom');
    expect(existsSync(p('c.bin'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('an abort stops the next write', async () => {
    const ac = new AbortController();
    await expectStudioError(() => writeFileAtomically(p('d.bin'), async (w) => { await w.write(new Uint8Array(10)); ac.abort(); await w.write(new Uint8Array(10)); }, { signal: ac.signal }), { code: 'CANCELLED', problem: /cancelled/ });
    expect(existsSync(p('d.bin'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('refuses a missing folder, and an existing file when overwrite is off', async () => {
    await expectStudioError(() => writeFileAtomic(join(tmp.dir, 'no', 'x.bin'), 'x'), { code: 'NOT_FOUND', problem: /does not exist/ });
    writeFileSync(p('e.bin'), 'keep');
    await expectStudioError(() => writeFileAtomic(p('e.bin'), 'new', { overwrite: false }), { code: 'ALREADY_EXISTS', problem: /already exists/ });
    expect(readFileSync(p('e.bin'), 'utf8')).toBe('keep');
  });
});

describe('atomic folders', () => {
  it('appear whole, replace an old folder only with overwrite, vanish on error', async () => {
    const target = p('model-out');
    await writeFolderAtomically(target, async (dir) => {
      writeFileSync(join(dir, 'config.json'), '{}');
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'sub', 'x'), 'x');
      expect(existsSync(target)).toBe(false);
    });
    expect(readdirSync(target).sort()).toEqual(['config.json', 'sub']);
    await expectStudioError(() => writeFolderAtomically(target, async () => {}), { code: 'ALREADY_EXISTS', problem: /already exists/ });
    await writeFolderAtomically(target, async (dir) => writeFileSync(join(dir, 'model.safetensors'), 'new'), { overwrite: true });
    expect(readdirSync(target)).toEqual(['model.safetensors']);
    await expect(writeFolderAtomically(target, async (dir) => { writeFileSync(join(dir, 'half'), 'x'); throw new Error('failed'); }, { overwrite: true })).rejects.toThrow('failed');
    expect(readdirSync(target)).toEqual(['model.safetensors']);
    const ac = new AbortController();
    await expectStudioError(() => writeFolderAtomically(p('other'), async () => ac.abort(), { signal: ac.signal }), { code: 'CANCELLED', problem: /cancelled/ });
    expect(existsSync(p('other'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });
});
