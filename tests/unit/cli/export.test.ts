import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mcs } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

const work = tempDir('export');

describe('mcs export', () => {
  it('writes a Q4_0 GGUF and says which tensors fell back to F16', () => {
    const out = join(work, 'q4.gguf');
    const r = mcs(['export', '-o', out, '--format', 'gguf', '--type', 'q4_0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/blk\.0\.attn_q\.weight\s+64×64\s+Q4_0/);
    expect(r.stdout).toMatch(/fallbacks \(5\):\n\s+blk\.0\.ffn_down\.weight: 172 columns not a multiple of 32 → F16/);
    expect(existsSync(out)).toBe(true);
  });

  it('--json report, and the file re-opens', () => {
    const out = join(work, 'f16.gguf');
    const r = mcs(['export', '-o', out, '--type', 'f16', '--json']);
    expect(r.code).toBe(0);
    expect(r.json().format).toBe('gguf');
    expect(mcs(['export', out, '-o', join(work, 'again.gguf'), '--type', 'q8_0', '--json']).code).toBe(0);
  });

  it('safetensors in another float type', () => {
    const r = mcs(['export', '-o', join(work, 'bf16'), '--format', 'safetensors', '--type', 'bf16', '--json']);
    expect(r.code).toBe(0);
    expect(r.json().tensors.every((t: { kind: string }) => t.kind === 'cast')).toBe(true);
  });

  it('refuses bad requests with exit 1', () => {
    const cases: [string[], RegExp][] = [
      [['-o', join(work, 'x.gguf'), '--type', 'q3_k'], /--type must be one of f32, f16, q8_0/],
      [['-o', join(work, 'x.bin'), '--format', 'gguf'], /should be named \*\.gguf/],
      [['-o', join(work, 'x'), '--format', 'onnx'], /--format must be gguf or safetensors, got 'onnx'/],
      [['-o', join(work, 'missing-dir', 'x.gguf')], /does not exist/],
    ];
    for (const [args, message] of cases) {
      const r = mcs(['export', ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
