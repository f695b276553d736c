// `mcs bench --synthetic`: a TinyLlama-shaped model built in memory per weight
// format, timed, with its weight bytes per token and the bandwidth bound.
import { describe, expect, it } from 'vitest';
import { mcs } from '../../helpers/cli.js';

describe('mcs bench --synthetic', () => {
  it('one layer of W4A16: tokens/s, bytes per token as held, the bound from the copy bandwidth', () => {
    const r = mcs(['bench', '--synthetic', 'W4A16', '--layers', '1', '--prompt-tokens', '4', '--tokens', '2', '--json'], { timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    const j = r.json();
    expect(j.model).toMatch(/synthetic llama .*1 layers/);
    expect(j.rows).toHaveLength(1);
    const row = j.rows[0];
    expect(row.format).toMatch(/^W4A16: pack_quantized W4A16 g128 sym ×7; head: pack_quantized W4A16 g128 sym$/);
    // 4-bit codes and an F32 scale per 128 columns, for the 7 block matrices and the 32000×2048 head.
    const w4 = (r: number, c: number) => (r * c) / 2 + r * (c / 128) * 4;
    const mats = [[2048, 2048], [256, 2048], [256, 2048], [2048, 2048], [5632, 2048], [5632, 2048], [2048, 5632], [32000, 2048]];
    expect(row.bytesPerToken).toBe(mats.reduce((a, [rr, c]) => a + w4(rr, c), 0));
    expect(row.tokensPerSecond).toBeGreaterThan(0);
    expect(row.promptTokensPerSecond).toBeGreaterThan(0);
    expect(row.boundTokensPerSecond).toBeCloseTo(j.copyBandwidthBytesPerSecond / row.bytesPerToken, 6);
  });

  it('refuses an unknown format, and a model together with --synthetic', () => {
    const a = mcs(['bench', '--synthetic', 'W3X', '--layers', '1']);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/unknown format 'W3X'/);
    // Names in any case, given with spaces or commas: q4_k and Q6_K pass, w3x is the one refused.
    const c = mcs(['bench', '--synthetic', 'q4_k', 'Q6_K,w3x', '--layers', '1']);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/unknown format 'w3x'/);
    const b = mcs(['bench', 'resources/sample/stories260K', '--synthetic']);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/not both/);
  });
});
