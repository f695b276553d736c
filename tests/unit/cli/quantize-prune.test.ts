import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mcs } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

const work = tempDir('cli');

describe('mcs quantize', () => {
  it('int4 g32 on the bundled sample: JSON report, down_proj listed with group sizes that fit', () => {
    const out = join(work, 'int4');
    const r = mcs(['quantize', '-o', out, '--bits', '4', '--group', '32', '--json']);
    expect(r.code).toBe(0);
    const report = r.json();
    expect(report.format).toBe('compressed-tensors');
    expect(report.tensors.filter((t: { kind: string }) => t.kind === 'quantized')).toHaveLength(30);
    expect(report.skipped).toHaveLength(5);
    expect(report.skipped[0].reason).toMatch(/group sizes that fit: 43, 86, 172/);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).quantization_config.format).toBe('pack-quantized');
  });

  it('prints a readable table and the unchanged tensors without --json', () => {
    const r = mcs(['quantize', '-o', join(work, 'int8'), '--bits', '8']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/int8 per-channel sym/);
    expect(r.stdout).toMatch(/bits per weight/);
  });

  it('NF4 with double quant, and presets and recipe files', () => {
    expect(mcs(['quantize', '-o', join(work, 'nf4'), '--method', 'nf4', '--double-quant', '--json']).json().format).toBe('bitsandbytes');
    expect(mcs(['quantize', '-o', join(work, 'preset'), '--preset', 'int4-g32', '--json']).json().skipped).toHaveLength(5);
    // g128 fits no row of this small model (64 or 172 wide): refused up front, with the sizes that would fit.
    const none = mcs(['quantize', '-o', join(work, 'g128'), '--preset', 'int4-g128']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/changes no tensor.*group sizes that fit/);
    const recipe = join(work, 'r.yaml');
    writeFileSync(recipe, 'quantize: { method: rtn, bits: 4, granularity: group, group: 64 }\nrules:\n  - match: down_proj\n    quantize: { method: rtn, bits: 8 }\n');
    const r = mcs(['quantize', '-o', join(work, 'recipe'), '--recipe', recipe, '--json']);
    expect(r.code).toBe(0);
    const down = r.json().tensors.find((t: { name: string }) => t.name === 'model.layers.0.mlp.down_proj.weight');
    expect(down.action).toBe('int8 per-channel sym');
  });

  it('--skip keeps matching tensors', () => {
    const r = mcs(['quantize', '-o', join(work, 'skip'), '--bits', '8', '--skip', 'self_attn', '--json']);
    expect(r.json().tensors.filter((t: { kind: string }) => t.kind === 'quantized')).toHaveLength(15);
  });

  it('exits 1 with a message naming the problem, and writes nothing', () => {
    const cases: [string[], RegExp][] = [
      [['--bits', '9'], /--bits must be an integer from 2 to 8, got '9'/],
      [['--method', 'gptq', '--bits', '4'], /--method must be rtn, nf4 or fp4/],
      [['--bits', '4', '--group', '48', '--preset', 'int4-g128'], /give one of --preset, --method/],
      [['--method', 'nf4', '--group', '32'], /--group does not apply to nf4/],
      [['--bits', '4', '--recipe', join(work, 'missing.yaml')], /give one of --recipe, --method/],
      [['--recipe', join(work, 'missing.yaml')], /missing\.yaml: cannot read recipe/],
      [['--bits', '4', '--skip', '('], /skip|rules\.0\.match: not a valid regular expression/],
    ];
    for (const [args, message] of cases) {
      const out = join(work, 'never');
      const r = mcs(['quantize', '-o', out, ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('exits 1 on a corrupt model, with a JSON error document under --json', () => {
    const bad = join(work, 'bad-model');
    mcs(['quantize', '-o', bad, '--bits', '8']);
    writeFileSync(join(bad, 'model.safetensors'), Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x7b]));
    const r = mcs(['quantize', bad, '-o', join(work, 'from-bad'), '--bits', '4', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error).toMatchObject({ code: 'BAD_FILE' });
    expect(r.stderr).toMatch(/model\.safetensors/);
  });

  it('refuses an existing output folder', () => {
    const out = join(work, 'exists');
    expect(mcs(['quantize', '-o', out, '--bits', '8']).code).toBe(0);
    const again = mcs(['quantize', '-o', out, '--bits', '8']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    expect(mcs(['quantize', '-o', out, '--bits', '4', '--overwrite']).code).toBe(0);
  });
});

describe('mcs prune', () => {
  it('2:4 writes the sparse-24 bitmask layout and reports the sparsity', () => {
    const r = mcs(['prune', '-o', join(work, 'p24'), '--pattern', '2:4', '--json']);
    expect(r.code).toBe(0);
    const t = r.json().tensors.filter((x: { kind: string }) => x.kind === 'pruned');
    expect(t).toHaveLength(35);
    for (const x of t) expect(x.sparsity).toBeGreaterThanOrEqual(0.5);
  });

  it('50% global magnitude: overall sparsity exactly half of the targets', () => {
    const r = mcs(['prune', '-o', join(work, 'pg'), '--sparsity', '0.5', '--scope', 'global', '--json']);
    const t = r.json().tensors.filter((x: { kind: string }) => x.kind === 'pruned');
    const n = t.reduce((a: number, x: { shape: number[] }) => a + x.shape[0] * x.shape[1], 0);
    const zeros = t.reduce((a: number, x: { shape: number[]; sparsity: number }) => a + x.sparsity * x.shape[0] * x.shape[1], 0);
    expect(Math.abs(zeros / n - 0.5)).toBeLessThan(1e-4);
    expect(new Set(t.map((x: { sparsity: number }) => x.sparsity.toFixed(3))).size).toBeGreaterThan(1);
  });

  it('refuses a bad pattern or a missing target', () => {
    expect(mcs(['prune', '-o', join(work, 'x'), '--pattern', '4:4']).stderr).toMatch(/N:M with N < M/);
    expect(mcs(['prune', '-o', join(work, 'x')]).stderr).toMatch(/give --sparsity/);
    expect(mcs(['prune', '-o', join(work, 'x'), '--sparsity', '1.5']).code).toBe(1);
  });
});
