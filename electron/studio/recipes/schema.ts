// The recipe: what to do to which tensors. A document (YAML or JSON) validated
// here, so the CLI, the window and recipe files share one definition.
//
//   name: int4 g128, 8-bit down_proj
//   quantize: { method: rtn, bits: 4, scheme: sym, granularity: group, group: 128 }
//   rules:                                  # first match wins; unmatched targets take the defaults
//     - { match: "down_proj", quantize: { method: rtn, bits: 8, granularity: channel } }
//     - { match: "lm_head|embed_tokens", quantize: { method: keep, dtype: f16 } }
import { z } from 'zod';
import { ggufTypes, type GgufExportType } from '../quant/gguf-fallback.js';

const regex = z.string().min(1).max(1000).refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

export const rtnSpec = z
  .object({
    method: z.literal('rtn'),
    bits: z.number().int().min(2).max(8),
    scheme: z.enum(['sym', 'asym']).default('sym'),
    granularity: z.enum(['tensor', 'channel', 'group']).default('channel'),
    group: z.number().int().min(1).max(1 << 20).optional(),
    range: z.enum(['minmax', 'percentile', 'mse']).default('minmax'),
    /** Percentile of |w| kept inside the range when range = percentile (e.g. 99.99). */
    percentile: z.number().gt(50).max(100).default(99.99),
  })
  .strict()
  .refine((s) => s.granularity !== 'group' || s.group !== undefined, {
    message: 'granularity "group" needs a group size (e.g. group: 128)',
    path: ['group'],
  });

export const nf4Spec = z
  .object({
    method: z.enum(['nf4', 'fp4']),
    blockSize: z.literal(64).default(64),
    doubleQuant: z.boolean().default(false),
  })
  .strict();

export { ggufTypes, type GgufExportType };

export const ggufSpec = z.object({ method: z.literal('gguf'), type: z.enum(ggufTypes) }).strict();

/** Leave the tensor as it is, or only cast it to a float type. */
export const keepSpec = z.object({ method: z.literal('keep'), dtype: z.enum(['f32', 'f16', 'bf16']).optional() }).strict();

export const quantSpec = z.union([rtnSpec, nf4Spec, ggufSpec, keepSpec]);

export const pruneSpec = z.union([
  z
    .object({
      method: z.literal('magnitude'),
      sparsity: z.number().min(0).max(0.99),
      /** 'tensor': each tensor to the target; 'global': one threshold across all targets. */
      scope: z.enum(['tensor', 'global']).default('tensor'),
    })
    .strict(),
  z
    .object({
      method: z.literal('nm'),
      n: z.number().int().min(1).max(16),
      m: z.number().int().min(2).max(16),
    })
    .strict()
    .refine((s) => s.n < s.m, { message: 'n must be smaller than m (e.g. 2:4)' }),
  z.object({ method: z.literal('none') }).strict(),
]);

export const ruleSchema = z
  .object({
    /** Regular expression searched in the tensor name (HF or GGUF naming). */
    match: regex,
    quantize: quantSpec.optional(),
    prune: pruneSpec.optional(),
  })
  .strict()
  .refine((r) => r.quantize !== undefined || r.prune !== undefined, {
    message: 'a rule needs "quantize" or "prune" (use quantize: { method: keep } to leave tensors alone)',
  });

export const recipeSchema = z
  .object({
    name: z.string().max(200).optional(),
    description: z.string().max(5000).optional(),
    /** Applied to every target tensor that no rule matches. */
    quantize: quantSpec.optional(),
    prune: pruneSpec.optional(),
    /**
     * Which tensors are targets. Default: the 2-D weights of the transformer
     * blocks' linear layers; embeddings, the output head, norms and biases stay.
     */
    targets: z.array(regex).max(100).optional(),
    rules: z.array(ruleSchema).max(1000).default([]),
  })
  .strict()
  .refine((r) => r.quantize !== undefined || r.prune !== undefined || r.rules.length > 0, {
    message: 'a recipe needs "quantize", "prune" or at least one rule',
  });

export type RtnSpec = z.infer<typeof rtnSpec>;
export type Nf4Spec = z.infer<typeof nf4Spec>;
export type GgufSpec = z.infer<typeof ggufSpec>;
export type KeepSpec = z.infer<typeof keepSpec>;
export type QuantSpec = z.infer<typeof quantSpec>;
export type PruneSpec = z.infer<typeof pruneSpec>;
export type RecipeRule = z.infer<typeof ruleSchema>;
export type Recipe = z.infer<typeof recipeSchema>;
/** What a user writes: defaults not yet filled in. */
export type RecipeInput = z.input<typeof recipeSchema>;
