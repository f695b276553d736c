// Small JSON files (config.json, index files): size-capped read, parse, and a
// BAD_FILE naming the file when the text is not JSON.
import { badFile } from '../../common/errors.js';
import { withFile } from './file-reader.js';

/** Index and config files are kilobytes; 64 MB leaves room for huge shard indexes. */
export const JSON_FILE_LIMIT = 64 * 1024 * 1024;

export function readJsonFile(path: string, limit = JSON_FILE_LIMIT): unknown {
  const text = withFile(path, (f) => {
    if (f.size > limit) throw badFile(path, `is ${f.size} bytes, more than the ${limit / 2 ** 20} MB expected of this file`);
    return f.read(0, f.size, 'contents').toString('utf8');
  });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badFile(path, `is not valid JSON (${(e as Error).message})`);
  }
}
