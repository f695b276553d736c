// `mcs generate`: text from a model, streamed token by token (greedy by
// default; temperature, top-k, top-p and a seed for sampling).
import type { Command } from 'commander';
import { loadRunnableModel } from '../../studio/engine/load.js';
import { generate, type GeneratedToken } from '../../studio/evaluate/generate.js';
import { sampleModelPath } from '../../studio/resources.js';
import { execute, parseFloatOption, parseIntOption, withCommonOptions } from '../command.js';
import { fmt, loadOptions, withInt8Options, type Int8Flags } from '../engine-flags.js';
import { MODEL_ARG_HELP } from '../model-arg.js';

interface GenerateFlags extends Int8Flags {
  prompt: string;
  maxTokens?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  eos?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function registerGenerate(program: Command): void {
  const cmd = program
    .command('generate')
    .description('generate text from a prompt, streamed as it is produced')
    .argument('[model]', MODEL_ARG_HELP)
    .requiredOption('-p, --prompt <text>', 'the prompt')
    .option('-n, --max-tokens <n>', 'at most this many new tokens (default 128)', parseIntOption('--max-tokens', 0, 1 << 20))
    .option('--temperature <t>', '0 = greedy (default); higher is more random', parseFloatOption('--temperature', 0, 100))
    .option('--top-k <k>', 'sample among the k most likely tokens (0 = all)', parseIntOption('--top-k', 0, 1 << 24))
    .option('--top-p <p>', 'sample among the most likely tokens up to this total probability', parseFloatOption('--top-p', 1e-9, 1))
    .option('--seed <s>', 'random seed for sampling (default 0)', parseIntOption('--seed', 0, 2 ** 32 - 1))
    .option('--no-eos', 'keep going past end-of-sequence tokens');
  withCommonOptions(withInt8Options(cmd, 'the model\'s')).action((model: string | undefined, f: GenerateFlags) =>
    execute(!!f.json, !!f.quiet, {
      run: async (ctx) => {
        const m = await loadRunnableModel(model ?? sampleModelPath(), loadOptions(f, ctx));
        try {
          const tokens: GeneratedToken[] = [];
          if (!ctx.json) process.stdout.write(f.prompt);
          const r = await generate(m.model, m.tokenizer, f.prompt, {
            maxTokens: f.maxTokens, temperature: f.temperature, topK: f.topK, topP: f.topP, seed: f.seed, stopAtEos: f.eos !== false, signal: ctx.signal,
            onToken: (t) => { tokens.push(t); if (!ctx.json) process.stdout.write(t.text); },
          });
          if (!ctx.json) process.stdout.write('\n');
          return {
            model: m.opened.path, method: m.model.describe(), prompt: f.prompt, promptTokens: r.promptTokens,
            tokens: tokens.map(({ id, text, logprob }) => ({ id, text, logprob })), text: r.text, stopReason: r.stopReason,
            promptTokensPerSecond: r.promptTokensPerSecond, tokensPerSecond: r.tokensPerSecond,
          };
        } finally {
          m.dispose();
        }
      },
      // The text itself was streamed as it came.
      print: (r) =>
        `(${r.tokens.length} tokens, stop: ${r.stopReason}; prompt ${r.promptTokens.length} tokens at ${fmt(r.promptTokensPerSecond, 1)} tok/s, ` +
        `generation ${fmt(r.tokensPerSecond, 1)} tok/s)`,
    }),
  );
}
