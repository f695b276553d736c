// `mcs quantize`: round-to-nearest integer, NF4 or FP4 weights, from flags, a
// preset or a recipe file, written in the layout transformers/vLLM load.
import type { Command } from 'commander';
import { StudioError } from '../../common/errors.js';
import { findPreset, loadRecipe, parseRecipe, type Recipe } from '../../studio/recipes/index.js';
import { collect, parseIntOption, withCommonOptions } from '../command.js';
import { runCompressCommand, type CompressFlags } from '../compress-output.js';
import { MODEL_ARG_HELP } from '../model-arg.js';

interface QuantizeFlags extends CompressFlags {
  method?: string;
  bits?: number;
  scheme?: string;
  granularity?: string;
  group?: number;
  range?: string;
  percentile?: number;
  doubleQuant?: boolean;
  skip?: string[];
  recipe?: string;
  preset?: string;
}

const METHOD_FLAGS = ['method', 'bits', 'scheme', 'granularity', 'group', 'range', 'percentile', 'doubleQuant'] as const;

/** The recipe the flags describe (validated by the recipe schema, so messages name the flag's field). */
export async function recipeFromFlags(f: QuantizeFlags): Promise<Recipe> {
  const used = METHOD_FLAGS.filter((k) => f[k] !== undefined);
  const sources = [f.recipe && '--recipe', f.preset && '--preset', used.length && '--method …'].filter(Boolean);
  if (sources.length > 1) throw new StudioError('INVALID_ARGUMENT', `give one of ${sources.join(', ')}, not several`);
  let recipe: Recipe;
  if (f.recipe) recipe = await loadRecipe(f.recipe);
  else if (f.preset) {
    const p = findPreset(f.preset);
    if (!p) throw new StudioError('INVALID_ARGUMENT', `unknown preset '${f.preset}'`);
    recipe = parseRecipe(p.recipe);
  } else {
    const method = f.method ?? 'rtn';
    if (method === 'rtn') {
      if (f.bits === undefined) throw new StudioError('INVALID_ARGUMENT', '--bits is required with --method rtn (2 to 8)');
      if (f.doubleQuant) throw new StudioError('INVALID_ARGUMENT', '--double-quant applies to nf4 and fp4 only');
      const granularity = f.granularity ?? (f.group !== undefined ? 'group' : 'channel');
      recipe = parseRecipe(
        { quantize: { method, bits: f.bits, scheme: f.scheme, granularity, group: f.group, range: f.range, percentile: f.percentile } },
        'flags',
      );
    } else if (method === 'nf4' || method === 'fp4') {
      if (f.bits !== undefined && f.bits !== 4) throw new StudioError('INVALID_ARGUMENT', `${method} is a 4-bit format (--bits 4)`);
      const extra = (['scheme', 'granularity', 'group', 'range', 'percentile'] as const).filter((k) => f[k] !== undefined);
      if (extra.length) throw new StudioError('INVALID_ARGUMENT', `--${extra[0]} does not apply to ${method} (blocks of 64 with absmax scales)`);
      recipe = parseRecipe({ quantize: { method, doubleQuant: !!f.doubleQuant } }, 'flags');
    } else {
      throw new StudioError('INVALID_ARGUMENT', `--method must be rtn, nf4 or fp4, got '${method}' (GGUF types: mcs export --type)`);
    }
  }
  if (f.skip?.length) {
    recipe = parseRecipe({ ...recipe, rules: [...f.skip.map((match) => ({ match, quantize: { method: 'keep' } })), ...recipe.rules] }, 'flags');
  }
  return recipe;
}

export function registerQuantize(program: Command): void {
  withCommonOptions(
    program
      .command('quantize')
      .description('quantize weights (RTN int2–8, NF4, FP4) and write a safetensors model folder')
      .argument('[model]', MODEL_ARG_HELP)
      .requiredOption('-o, --output <folder>', 'the model folder to write')
      .option('--method <m>', 'rtn | nf4 | fp4 (default rtn)')
      .option('--bits <n>', 'bits per weight, 2–8 (rtn)', parseIntOption('--bits', 2, 8))
      .option('--scheme <s>', 'sym | asym (default sym)')
      .option('--granularity <g>', 'tensor | channel | group (default channel, or group with --group)')
      .option('--group <g>', 'input columns per scale with --granularity group (e.g. 32, 128)', parseIntOption('--group', 1, 1 << 20))
      .option('--range <r>', 'minmax | percentile | mse (default minmax)')
      .option('--percentile <p>', 'with --range percentile: share of |w| kept in range, e.g. 99.99', Number)
      .option('--double-quant', 'nf4/fp4: quantize the absmax scales to 8 bits too')
      .option('--skip <regex>', 'leave tensors whose name matches unchanged (repeatable)', collect)
      .option('--recipe <file>', 'a YAML or JSON recipe instead of the method flags')
      .option('--preset <name>', 'a preset recipe, e.g. "int4-g128", "int8-channel", "nf4-dq"')
      .option('--overwrite', 'replace the output folder if it exists'),
  ).action((model: string | undefined, flags: QuantizeFlags) => runCompressCommand(model, flags, () => recipeFromFlags(flags)));
}
