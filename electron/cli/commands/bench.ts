// `mcs bench`: prompt and generation tokens per second of a model as stored
// (and as LLM.int8() with --llm-int8), or of a synthetic TinyLlama-shaped model
// in each weight format (--synthetic), next to the bound memory bandwidth sets
// on generation. The kernel-level suites are `npm run bench`.
import type { Command } from 'commander';
import { loadRunnableModel } from '../../studio/engine/load.js';
import { SYNTHETIC_FORMATS, syntheticModel, type SyntheticFormat } from '../../studio/engine/synthetic-model.js';
import { StudioError } from '../../common/errors.js';
import { copyBandwidth, measureSpeed } from '../../studio/evaluate/speed.js';
import { sampleModelPath } from '../../studio/resources.js';
import { execute, parseFloatOption, parseIntOption, withCommonOptions } from '../command.js';
import { fmt } from '../engine-flags.js';
import { formatBytes, formatTable } from '../output.js';
import { MODEL_ARG_HELP } from '../model-arg.js';

const DEFAULT_SYNTHETIC: SyntheticFormat[] = ['F32', 'W8A16', 'W4A16', 'Q8_0', 'Q4_0', 'LLM.int8'];

/** `--synthetic q4_k q5_k` or `--synthetic Q4_K,Q5_K`: names in any case, spaces or commas between. */
function syntheticFormats(v: string | string[] | true): SyntheticFormat[] {
  if (v === true) return DEFAULT_SYNTHETIC;
  const list = (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
  return list.map((f) => {
    const known = SYNTHETIC_FORMATS.find((k) => k.toLowerCase() === f.toLowerCase());
    if (!known) throw new StudioError('INVALID_ARGUMENT', `--synthetic: unknown format '${f}' (known: ${SYNTHETIC_FORMATS.join(', ')})`);
    return known;
  });
}

interface BenchFlags {
  synthetic?: string | string[] | true;
  layers?: number;
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
      .option('--synthetic [formats...]', `time a synthetic TinyLlama-shaped model (hidden 2048, 32k vocabulary) in each weight format, built in memory (default ${DEFAULT_SYNTHETIC.join(',')}; known: ${SYNTHETIC_FORMATS.join(',')})`)
      .option('--layers <n>', 'layers of the synthetic model (default 22)', parseIntOption('--layers', 1, 256))
      .option('--llm-int8', 'also run the model as LLM.int8()')
      .option('--threshold <t>', 'LLM.int8() outlier threshold (default 6.0)', parseFloatOption('--threshold', 0, 1e6))
      .option('--prompt-tokens <n>', 'prompt length (default 128)', parseIntOption('--prompt-tokens', 1, 1 << 20))
      .option('--tokens <n>', 'generated tokens timed (default 32)', parseIntOption('--tokens', 1, 1 << 20)),
  ).action((model: string | undefined, f: BenchFlags) =>
    execute(!!f.json, !!f.quiet, {
      run: async (ctx) => {
        if (f.synthetic !== undefined && model !== undefined) throw new StudioError('INVALID_ARGUMENT', 'give a MODEL or --synthetic, not both');
        const bandwidth = await copyBandwidth();
        const rows = [];
        if (f.synthetic !== undefined) {
          const layers = f.layers ?? 22;
          for (const format of syntheticFormats(f.synthetic)) {
            ctx.progress.update(0, `building ${format}`);
            const m = await syntheticModel(format, { layers, signal: ctx.signal, onProgress: (d, t) => ctx.progress.update(d / t, `building ${format}`) });
            try {
              const r = await measureSpeed(m, { promptTokens: f.promptTokens, genTokens: f.tokens, signal: ctx.signal, onProgress: (d, t) => ctx.progress.update(d / t, `timing ${format}`) });
              const bound = bandwidth / r.bytesPerToken;
              rows.push({ format: `${format}: ${m.describe()}`, ...r, boundTokensPerSecond: bound, ofBound: r.tokensPerSecond / bound });
            } finally {
              m.dispose();
            }
          }
          return { model: `synthetic llama (hidden 2048, intermediate 5632, ${layers} layers, heads 32/4, vocab 32000)`, copyBandwidthBytesPerSecond: bandwidth, rows };
        }
        const path = model ?? sampleModelPath();
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
