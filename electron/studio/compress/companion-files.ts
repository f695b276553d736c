// Files copied next to the weights so a written model folder loads on its own.
import { copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const COMPANION_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'tokenizer.model',
  'vocab.json',
  'merges.txt',
  'generation_config.json',
  'chat_template.jinja',
];

export async function copyCompanionFiles(sourceFolder: string, targetFolder: string): Promise<string[]> {
  const copied: string[] = [];
  for (const name of COMPANION_FILES) {
    const from = join(sourceFolder, name);
    if (await stat(from).then((s) => s.isFile(), () => false)) {
      await copyFile(from, join(targetFolder, name));
      copied.push(name);
    }
  }
  return copied;
}
