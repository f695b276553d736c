// What a comparison runs on: the two models (an open model, a file the user
// chose, or a run's output in the work folder — each optionally as LLM.int8())
// loaded into the engine with errors that say which side failed and why, and
// the evaluation text (the bundled sample, a file, or pasted text).
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { CompareSide, JobStartRequest } from '../../common/contract.js';
import { StudioError, isCancelled, toStudioError } from '../../common/errors.js';
import { loadRunnableModel, type RunnableModel } from '../engine/load.js';
import type { EngineLoadOptions } from '../engine/model.js';
import { openModel } from '../models/open-model.js';
import type { OpenedModel } from '../models/types.js';
import { sampleTextPath } from '../resources.js';
import type { ModelRegistry } from './model-registry.js';
import { displayName } from '../inspect/model-summary.js';
import type { RunStore } from './run-store.js';

export type CompareRequest = Extract<JobStartRequest, { kind: 'compare' }>;
export type CompareModelRef = CompareRequest['a'];
export type CompareTextSpec = CompareRequest['text'];

export interface CompareSources {
  models: ModelRegistry;
  runs: RunStore;
}

/** A side's name for titles and columns, without opening anything (an unknown model or run is refused here). */
export function refName(ref: CompareModelRef, src: CompareSources): string {
  const base =
    ref.source === 'open' ? displayName(src.models.get(ref.modelId))
    : ref.source === 'run' ? src.runs.get(ref.runId).name ?? `run ${ref.runId}`
    : basename(ref.path.replace(/[\\/]+$/, '')).replace(/\.gguf$/i, '');
  return ref.llmInt8 ? `${base} as LLM.int8()` : base;
}

async function openRef(ref: CompareModelRef, src: CompareSources): Promise<OpenedModel> {
  if (ref.source === 'open') return src.models.get(ref.modelId);
  if (ref.source === 'run') return openModel(src.runs.get(ref.runId).output);
  return openModel(ref.path);
}

export interface LoadedSide {
  runnable: RunnableModel;
  side: CompareSide;
}

/**
 * Opens and loads one side. Any failure other than Cancel becomes
 * "Model B (name) cannot run in the engine: <why>", keeping the file and tensor.
 */
export async function loadSide(which: 'A' | 'B', ref: CompareModelRef, src: CompareSources, opts: EngineLoadOptions): Promise<LoadedSide> {
  const name = refName(ref, src);
  const t0 = performance.now();
  let runnable: RunnableModel;
  try {
    const opened = await openRef(ref, src);
    const linear: EngineLoadOptions = ref.llmInt8 ? { method: 'llm_int8', threshold: ref.llmInt8.threshold } : {};
    runnable = await loadRunnableModel(opened, { ...opts, ...linear });
  } catch (e) {
    if (isCancelled(e) || opts.signal?.aborted) throw e;
    const err = toStudioError(e);
    throw new StudioError(err.code, `Model ${which} (${name}) cannot run in the engine: ${err.message}`, { file: err.file, tensor: err.tensor });
  }
  const info = runnable.model.info();
  const q = runnable.opened.quantization.format;
  return {
    runnable,
    side: {
      name,
      path: runnable.opened.path,
      format: runnable.opened.format === 'gguf' ? 'gguf' : q === 'none' ? 'safetensors' : q,
      method: runnable.model.describe(),
      llmInt8Threshold: ref.llmInt8 ? ref.llmInt8.threshold : null,
      sizeBytes: info.sizeBytes,
      bytesPerToken: info.bytesPerToken,
      loadSeconds: (performance.now() - t0) / 1000,
    },
  };
}

/** More text than a comparison sensibly scores; refused before it is read. */
const MAX_TEXT_BYTES = 64 << 20;

export interface EvaluationText {
  source: CompareTextSpec['source'];
  name: string;
  text: string;
}

function readTextFile(path: string, what: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new StudioError('NOT_FOUND', `${path}: no such text file`, { file: path });
  }
  if (size > MAX_TEXT_BYTES) throw new StudioError('INVALID_ARGUMENT', `${path}: ${size} bytes is more ${what} than a comparison scores (at most ${MAX_TEXT_BYTES >> 20} MiB)`, { file: path });
  const text = readFileSync(path, 'utf8');
  if (text.includes('\0')) throw new StudioError('INVALID_ARGUMENT', `${path}: not a text file (it contains NUL bytes)`, { file: path });
  return text;
}

export function evaluationText(spec: CompareTextSpec): EvaluationText {
  if (spec.source === 'inline') return { source: 'inline', name: 'pasted text', text: spec.text };
  if (spec.source === 'file') return { source: 'file', name: basename(spec.path), text: readTextFile(spec.path, 'text') };
  let path: string;
  try {
    path = sampleTextPath();
  } catch (e) {
    throw new StudioError('NOT_FOUND', (e as Error).message);
  }
  return { source: 'sample', name: 'TinyStories excerpt (bundled)', text: readTextFile(path, 'text') };
}
