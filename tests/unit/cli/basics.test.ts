import { describe, expect, it } from 'vitest';
import { mcs } from '../../helpers/cli.js';

describe('mcs basics', () => {
  it('prints one JSON document with --json', () => {
    const r = mcs(['info', '--json']);
    expect(r.code).toBe(0);
    const info = r.json();
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(['avx2', 'neon', 'scalar']).toContain(info.simd);
    expect(info.threads).toBeGreaterThanOrEqual(1);
  });

  it('prints a table without --json', () => {
    const r = mcs(['info']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^property\s+value/);
  });

  it('exits 1 on usage mistakes, naming them', () => {
    const unknown = mcs(['frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    const threads = mcs(['--threads', '0', 'info']);
    expect(threads.code).toBe(1);
    expect(threads.stderr).toMatch(/--threads must be an integer from 1 to 1024, got '0'/);
  });

  it('exits 0 for --help and --version', () => {
    expect(mcs(['--help']).code).toBe(0);
    expect(mcs(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
