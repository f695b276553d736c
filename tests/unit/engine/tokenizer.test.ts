// Tokenizers: the bundled sample's tokenizer.json (BOS from tokenizer_config),
// streaming text that splits characters across byte tokens, the stories260K
// GGUF vocabulary, the vocabulary our GGUF export writes, and llama.cpp's
// vocab-only test vectors (from ../shared, skipped when absent).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ggufVocabFromTokenizerJson } from '../../../electron/studio/export/gguf-vocab.js';
import { vocabEntries } from '../../../electron/studio/export/gguf-metadata.js';
import { openModel } from '../../../electron/studio/models/open-model.js';
import { openGgufModel } from '../../../electron/studio/models/gguf-model.js';
import { readGgufFile } from '../../../electron/studio/models/gguf-reader.js';
import { ggufTokenizer, loadTokenizer, TextStream } from '../../../electron/studio/tokenizer/load.js';
import type { TextTokenizer } from '../../../electron/studio/tokenizer/types.js';

const SAMPLE = 'resources/sample/stories260K';
const VOCAB_DIR = '../shared/models/vocab-only';
const STORIES = '../shared/data/tinystories-valid-excerpt.txt';

const TEXTS = [
  'Once upon a time, there was a little girl named Lily.',
  '  two leading spaces and trailing  ',
  'Tabs\tand\nnew lines\r\n',
  'Ünïcödé: naïve café — 東京 🦙!',
  '"Quotes," she said. It\'s 3.14, 42 and 1000000.',
  '',
];

async function sampleTokenizer(): Promise<TextTokenizer> {
  return loadTokenizer(await openModel(SAMPLE));
}

describe('tokenizer.json (bundled sample)', () => {
  it('encodes with BOS as tokenizer_config says, decodes back', async () => {
    const tok = await sampleTokenizer();
    expect(tok.addBos).toBe(true);
    expect(tok.bosId).toBe(1);
    expect(tok.eosIds).toEqual([2]);
    expect(tok.vocabSize).toBe(512);
    expect(tok.encode('Once upon a time')).toEqual([1, 403, 407, 261, 378]);
    expect(tok.encode('Once upon a time', { addSpecial: false })).toEqual([403, 407, 261, 378]);
    expect(tok.piece(403)).toBe('▁Once');
    expect(tok.isSpecial(1) && tok.isSpecial(2) && !tok.isSpecial(403)).toBe(true);
    for (const t of TEXTS.slice(0, 5)) expect(tok.decode(tok.encode(t, { addSpecial: false }))).toBe(t);
    expect(tok.decode([1, 403, 407], { skipSpecial: true })).toBe('Once upon');
  });

  it('streams text: a character split over byte tokens comes out whole, spaces kept', async () => {
    const tok = await sampleTokenizer();
    const full = tok.encode('Once upon 🦙 é!');
    const prompt = full.slice(0, 2), rest = full.slice(2);
    expect(rest.length).toBeGreaterThan(6); // the llama is four byte tokens
    const stream = new TextStream(tok, prompt);
    const pieces = rest.map((id) => stream.push(id));
    expect(pieces.join('') + stream.flush()).toBe(' upon 🦙 é!');
    expect(pieces.some((p) => p === '')).toBe(true); // held back inside the emoji
    expect(pieces.every((p) => !p.includes('\uFFFD'))).toBe(true);
  });
});

describe('GGUF vocabularies', () => {
  it('stories260K-f32.gguf tokenizes like the tokenizer.json it was converted from', async () => {
    const hf = await sampleTokenizer();
    const gg = loadTokenizer(await openGgufModel('tests/fixtures/formats/stories260K-f32.gguf'));
    expect(gg.addBos).toBe(true);
    expect(gg.bosId).toBe(1);
    const texts = [...TEXTS, ...(existsSync(STORIES) ? readFileSync(STORIES, 'utf8').split(/\r?\n/).filter(Boolean) : [])];
    for (const t of texts) {
      expect(gg.encode(t), t).toEqual(hf.encode(t));
      expect(gg.decode(gg.encode(t, { addSpecial: false }))).toBe(hf.decode(hf.encode(t, { addSpecial: false })));
    }
  });

  it('the vocabulary our GGUF export writes tokenizes like the original tokenizer.json', async () => {
    const hf = await sampleTokenizer();
    const json = JSON.parse(readFileSync(`${SAMPLE}/tokenizer.json`, 'utf8'));
    const config = JSON.parse(readFileSync(`${SAMPLE}/tokenizer_config.json`, 'utf8'));
    const metadata = Object.fromEntries(vocabEntries(ggufVocabFromTokenizerJson(json, config)).map(([k, v]) => [k, v.value]));
    const gg = ggufTokenizer(metadata, 'exported.gguf');
    const texts = [...TEXTS, ...(existsSync(STORIES) ? readFileSync(STORIES, 'utf8').split(/\r?\n/).filter(Boolean) : [])];
    for (const t of texts) expect(gg.encode(t), t).toEqual(hf.encode(t));
  });

  for (const name of ['ggml-vocab-llama-spm.gguf', 'ggml-vocab-gpt-2.gguf']) {
    const path = `${VOCAB_DIR}/${name}`;
    it.skipIf(!existsSync(path))(`llama.cpp's test vectors for ${name}`, () => {
      const tok = ggufTokenizer(readGgufFile(path).metadata, path);
      const inputs = readFileSync(`${path}.inp`, 'utf8').split('\n__ggml_vocab_test__\n');
      if (inputs[inputs.length - 1] === '') inputs.pop();
      const outputs = readFileSync(`${path}.out`, 'utf8').split('\n');
      if (outputs[outputs.length - 1] === '') outputs.pop();
      expect(inputs.length).toBe(outputs.length);
      const failures: string[] = [];
      inputs.forEach((text, i) => {
        const want = outputs[i].trim() === '' ? [] : outputs[i].trim().split(/\s+/).map(Number);
        const got = tok.encode(text, { addSpecial: false });
        if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${JSON.stringify(text)}: got ${got.join(' ')}, want ${want.join(' ')}`);
      });
      expect(failures).toEqual([]);
    });
  }
});
