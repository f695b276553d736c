// `mcs bench`: prompt and generation tokens per second of a model as stored
// (and as LLM.int8() with --llm-int8), next to the bound memory bandwidth sets
// on generation. The kernel-level suites are `npm run bench`.
import type { Command } from 'commander';
import { loadRunnableModel } from '../../studio/engine/load.js';
import { copyBandwidth, measureSpeed } from '../../studio/evaluate/speed.js';
import { sampleModelPath } from '../../studio/resources.js';
import { execute, parseFloatOption, parseIntOption, withCommonOptions } from '../command.js';
import { fmt } from '../engine-flags.js';
import { formatBytes, formatTable } from '../output.js';
import { MODEL_ARG_HELP } from '../model-arg.js';

interface BenchFlags {
  llmInt8?: boolean;
  threshold?: number;
  promptTokens?: number;
  tokens?: number;
  json?: boolean;
  quiet?: boolean;
}

export function registerBench(program: Command): void {
  withCommonOptions(
    program
      .command('bench')
      .description('prompt and generation tokens/s of a model, next to the memory-bandwidth bound')
      .argument('[model]', MODEL_ARG_HELP)
      .option('--llm-int8', 'also run the model as LLM.int8()')
      .option('--threshold <t>', 'LLM.int8() outlier threshold (default 6.0)', parseFloatOption('--threshold', 0, 1e6))
      .option('--prompt-tokens <n>', 'prompt length (default 128)', parseIntOption('--prompt-tokens', 1, 1 << 20))
      .option('--tokens <n>', 'generated tokens timed (default 32)', parseIntOption('--tokens', 1, 1 << 20)),
  ).action((model: string | undefined, f: BenchFlags) =>
    execute(!!f.json, !!f.quiet, {
      run: async (ctx) => {
        const path = model ?? sampleModelPath();
        const bandwidth = await copyBandwidth();
        const rows = [];
        for (const method of f.llmInt8 ? [undefined, 'llm_int8'] : [undefined]) {
          const m = await loadRunnableModel(path, { method, threshold: method ? f.threshold : undefined, signal: ctx.signal });
          try {
            const r = await measureSpeed(m.model, { promptTokens: f.promptTokens, genTokens: f.tokens, signal: ctx.signal, onProgress: (d, t) => ctx.progress.update(d / t, m.model.describe()) });
            const bound = bandwidth / r.bytesPerToken;
            rows.push({ format: m.model.describe(), ...r, boundTokensPerSecond: bound, ofBound: r.tokensPerSecond / bound });
          } finally {
            m.dispose();
          }
        }
        return { model: path, copyBandwidthBytesPerSecond: bandwidth, rows };
      },
      print: (r) =>
        `${r.model} · copy bandwidth ${fmt(r.copyBandwidthBytesPerSecond / 1e9, 1)} GB/s\n` +
        formatTable(r.rows, [
          { header: 'linear layers', value: (x) => x.format, align: 'left' },
          { header: 'prompt tok/s', value: (x) => fmt(x.promptTokensPerSecond, 1) },
          { header: 'gen tok/s', value: (x) => fmt(x.tokensPerSecond, 2) },
          { header: 'weights/token', value: (x) => formatBytes(x.bytesPerToken) },
          { header: 'bound tok/s', value: (x) => fmt(x.boundTokensPerSecond, 2) },
          { header: 'of bound', value: (x) => `${(100 * x.ofBound).toFixed(0)}%` },
        ]),
    }),
  );
}
