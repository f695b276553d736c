// `mcs generate`, `mcs eval` and `mcs compare` as a user runs them, on the
// bundled sample and a text written by the test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mcs } from '../../helpers/cli.js';

const SENTENCE = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball.';
const dir = mkdtempSync(join(tmpdir(), 'mcs-eval-'));
const TEXT = join(dir, 'story.txt');
writeFileSync(TEXT, Array.from({ length: 8 }, (_, i) => `${SENTENCE} Lily ran ${i + 2} times around the tree, and she laughed.`).join('\n'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mcs generate', () => {
  it('streams the greedy continuation', () => {
    const r = mcs(['generate', '-p', 'Once upon a time', '-n', '40']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(SENTENCE)).toBe(true);
    expect(r.stdout).toMatch(/\(40 tokens, stop: max-tokens; .* tok\/s\)/);
  });

  it('--json: tokens with their text and log-probabilities; a seed repeats a sample', () => {
    const r = mcs(['generate', '-p', 'Once upon a time', '-n', '12', '--temperature', '0.9', '--seed', '5', '--json']);
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j.tokens).toHaveLength(12);
    expect(j.tokens.map((t: { text: string }) => t.text).join('')).toBe(j.text);
    expect(j.tokens.every((t: { logprob: number }) => t.logprob <= 0)).toBe(true);
    expect(mcs(['generate', '-p', 'Once upon a time', '-n', '12', '--temperature', '0.9', '--seed', '5', '--json']).json().text).toBe(j.text);
  });
});

describe('mcs eval', () => {
  it('perplexity with its error, both methods', () => {
    const chunks = mcs(['eval', '--text', TEXT, '--ctx', '64', '--json']).json();
    expect(chunks).toMatchObject({ method: 'chunks', ctx: 64 });
    expect(chunks.ppl).toBeGreaterThan(1);
    expect(chunks.pplError).toBeGreaterThan(0);
    expect(chunks.scored).toBe(chunks.chunks * 31);
    const whole = mcs(['eval', '--text', TEXT, '--ctx', '64', '--method', 'whole', '--json']).json();
    expect(whole.scored).toBe(whole.textTokens - 1);
  });

  it('refuses a missing text file and a threshold without --llm-int8', () => {
    const missing = mcs(['eval', '--text', join(dir, 'nope.txt')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.txt: no such text file/);
    const stray = mcs(['eval', '--text', TEXT, '--threshold', '5']);
    expect(stray.code).toBe(1);
    expect(stray.stderr).toMatch(/--threshold applies with --llm-int8 only/);
  });
});

describe('mcs compare', () => {
  it('the sample against its own LLM.int8(): metrics, layers, outliers and both generations', () => {
    const r = mcs(['compare', 'resources/sample/stories260K', 'resources/sample/stories260K', '--llm-int8', '--text', TEXT, '--ctx', '64', '-p', 'Once upon a time', '-n', '30', '--json']);
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j.b.method).toMatch(/^llm_int8/);
    expect(Math.abs(j.metrics.pplRatio - 1)).toBeLessThan(0.01);
    expect(j.metrics.kl.mean).toBeGreaterThan(0);
    expect(j.metrics.kl.max).toBeGreaterThanOrEqual(j.metrics.kl.p99);
    expect(j.metrics.sameTop).toBeGreaterThan(0.9);
    expect(j.metrics.layers).toHaveLength(5);
    expect(j.metrics.outliers).toHaveLength(5);
    expect(j.generations.a.text.length).toBeGreaterThan(0);
    const text = mcs(['compare', 'resources/sample/stories260K', 'resources/sample/stories260K', '--llm-int8', '--text', TEXT, '--ctx', '64', '-q']);
    expect(text.stdout).toMatch(/KL mean/);
    expect(text.stdout).toMatch(/outlier cols\/call/);
  });

  it('needs --text or --prompt', () => {
    const r = mcs(['compare', 'resources/sample/stories260K', 'resources/sample/stories260K']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/give --text FILE/);
  });
});

describe('mcs bench', () => {
  it('tokens per second as stored and as LLM.int8(), with the bandwidth bound', () => {
    const r = mcs(['bench', '--llm-int8', '--prompt-tokens', '16', '--tokens', '4', '--json']);
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j.copyBandwidthBytesPerSecond).toBeGreaterThan(0);
    expect(j.rows.map((x: { format: string }) => x.format.split(' ')[0])).toEqual(['dense', 'llm_int8']);
    for (const x of j.rows) {
      expect(x.promptTokensPerSecond).toBeGreaterThan(0);
      expect(x.tokensPerSecond).toBeGreaterThan(0);
      expect(x.boundTokensPerSecond).toBeCloseTo(j.copyBandwidthBytesPerSecond / x.bytesPerToken, 6);
    }
    expect(j.rows[1].bytesPerToken).toBeLessThan(j.rows[0].bytesPerToken / 2);
  });
});
