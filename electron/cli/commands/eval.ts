// `mcs eval`: perplexity of a model over a text file, llama.cpp's way (or
// every token, with --method whole), with its standard error.
import type { Command } from 'commander';
import { StudioError } from '../../common/errors.js';
import { loadRunnableModel } from '../../studio/engine/load.js';
import { perplexity } from '../../studio/evaluate/perplexity.js';
import { sampleModelPath } from '../../studio/resources.js';
import { execute, withCommonOptions } from '../command.js';
import { fmt, loadOptions, perplexityMethod, readTextFile, withInt8Options, withPerplexityOptions, type Int8Flags, type PerplexityFlags } from '../engine-flags.js';
import { formatTable } from '../output.js';
import { MODEL_ARG_HELP } from '../model-arg.js';

interface EvalFlags extends Int8Flags, PerplexityFlags {
  json?: boolean;
  quiet?: boolean;
}

export function registerEval(program: Command): void {
  const cmd = program
    .command('eval')
    .description('perplexity of a model over a text file')
    .argument('[model]', MODEL_ARG_HELP)
    .option('-t, --text <file>', 'the text to score (UTF-8)');
  withCommonOptions(withInt8Options(withPerplexityOptions(cmd), 'the model\'s')).action((model: string | undefined, f: EvalFlags) =>
    execute(!!f.json, !!f.quiet, {
      run: async (ctx) => {
        if (!f.text) throw new StudioError('INVALID_ARGUMENT', '--text FILE is required: the text to score');
        const method = perplexityMethod(f.method);
        const text = readTextFile(f.text);
        const m = await loadRunnableModel(model ?? sampleModelPath(), loadOptions(f, ctx));
        try {
          const tokens = m.tokenizer.encode(text);
          const r = await perplexity(m.model, tokens, {
            ctx: f.ctx, method, maxChunks: f.chunks, bosId: m.tokenizer.addBos ? m.tokenizer.bosId : undefined, signal: ctx.signal,
            onProgress: (d, t) => ctx.progress.update(d / t, `chunk ${d}/${t}`),
          });
          return { model: m.opened.path, linearMethod: m.model.describe(), text: f.text, textTokens: tokens.length, ...r };
        } finally {
          m.dispose();
        }
      },
      print: (r) =>
        formatTable(
          [
            ['model', r.model], ['linear layers', r.linearMethod], ['text', `${r.text} (${r.textTokens} tokens)`],
            ['scoring', `${r.method}: ${r.chunks} × ${r.ctx} tokens, ${r.scored} predictions scored`],
            ['PPL', `${fmt(r.ppl)} ± ${fmt(r.pplError, 5)}`], ['speed', `${fmt(r.tokensPerSecond, 1)} tok/s`],
          ] as [string, string][],
          [{ header: 'property', value: ([k]) => k }, { header: 'value', value: ([, v]) => v, align: 'left' }],
        ),
    }),
  );
}
