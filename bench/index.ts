// `npm run bench [-- --quick] [-- --suite NAME]…`: throughput of the kernels
// on synthetic tensors with real LLM shapes, next to memcpy bandwidth measured
// in the same run; prints a table of ratios and writes bench/results/<date>.json.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { native } from '../electron/studio/native/addon.js';
import { createContext, formatRow, TABLE_HEADER, type BenchRow } from './harness.js';
import { SUITES } from './suites.js';

function parseArgs(argv: string[]): { quick: boolean; suites: string[]; out: string } {
  const suites: string[] = [];
  let quick = false, out = join('bench', 'results');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') quick = true;
    else if (argv[i] === '--suite') suites.push(argv[++i] ?? '');
    else if (argv[i] === '--out') out = argv[++i] ?? out;
    else if (argv[i] === '--help') {
      console.log(`usage: npm run bench -- [--quick] [--suite ${SUITES.map((s) => s.name).join('|')}]... [--out DIR]`);
      process.exit(0);
    } else {
      console.error(`unknown argument ${argv[i]} (try --help)`);
      process.exit(1);
    }
  }
  const unknown = suites.filter((s) => !SUITES.some((x) => x.name === s));
  if (unknown.length) {
    console.error(`unknown suite ${unknown.join(', ')}; suites: ${SUITES.map((s) => s.name).join(', ')}`);
    process.exit(1);
  }
  return { quick, suites, out };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const addon = native();
  const info = addon.systemInfo();
  const log = (line: string) => console.log(line);
  log(`${cpus()[0]?.model ?? 'cpu'} · ${info.threads} threads · simd ${info.simd}${args.quick ? ' · quick' : ''}`);
  const ctx = await createContext({ quick: args.quick, log });
  const rows: BenchRow[] = [];
  for (const suite of SUITES) {
    if (args.suites.length && !args.suites.includes(suite.name)) continue;
    log(`\n# ${suite.name}`);
    rows.push(...(await suite.run(ctx)));
  }
  log(`\n${TABLE_HEADER}`);
  for (const r of rows) log(formatRow(r));

  const date = new Date().toISOString().slice(0, 10);
  mkdirSync(args.out, { recursive: true });
  const file = join(args.out, `${date}.json`);
  const doc = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model, threads: info.threads, simd: info.simd, memoryBytes: totalmem(), node: process.version },
    quick: args.quick,
    unit: 'GB/s of the tensor as F32 (1e9 bytes per second)',
    memcpyGBps: Object.fromEntries(ctx.threads.map((t) => [t, ctx.memcpyGBps(t)])),
    rows,
  };
  writeFileSync(`${file}.tmp`, JSON.stringify(doc, null, 2));
  renameSync(`${file}.tmp`, file);
  log(`\nwrote ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
