// Reading recipes from user input (the window, CLI flags, files) with error
// messages that say where in the document the problem is.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { StudioError } from '../../common/errors.js';
import { writeFileAtomic } from '../files/atomic.js';
import { recipeSchema, type Recipe } from './schema.js';

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(recipe)'}: ${i.message}`)
    .join('; ');
}

/** Validates a recipe document; throws INVALID_ARGUMENT naming each problem's place. */
export function parseRecipe(doc: unknown, source = 'recipe'): Recipe {
  const r = recipeSchema.safeParse(doc);
  if (!r.success) throw new StudioError('INVALID_ARGUMENT', `${source}: ${describeIssues(r.error)}`, { file: source === 'recipe' ? undefined : source });
  return r.data;
}

const MAX_RECIPE_BYTES = 1 << 20;

/** Loads a YAML or JSON recipe file (JSON is YAML, so one parser serves both). */
export async function loadRecipe(path: string): Promise<Recipe> {
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_RECIPE_BYTES) throw new StudioError('INVALID_ARGUMENT', `${path}: recipe file is larger than 1 MiB`, { file: path });
    text = buf.toString('utf8');
  } catch (e) {
    if (e instanceof StudioError) throw e;
    throw new StudioError('NOT_FOUND', `${path}: cannot read recipe (${(e as Error).message})`, { file: path });
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new StudioError('INVALID_ARGUMENT', `${path}: not valid YAML or JSON: ${(e as Error).message}`, { file: path });
  }
  return parseRecipe(doc, path);
}

/** Saves as JSON when the name ends in .json, YAML otherwise; atomically. */
export async function saveRecipe(path: string, recipe: Recipe): Promise<void> {
  const valid = parseRecipe(recipe);
  const text = extname(path).toLowerCase() === '.json' ? JSON.stringify(valid, null, 2) + '\n' : YAML.stringify(valid);
  await writeFileAtomic(path, text);
}
