// A model loaded into the native engine, and the sessions (KV cache +
// position) that run it. One EngineModel per weight arithmetic: the original
// and its LLM.int8() version of the same files are two EngineModels.
import { StudioError, toStudioError } from '../../common/errors.js';
import { native, type NativeTensor } from '../native/addon.js';
import { runNative, type JobOptions } from '../native/job.js';
import type { OpenedModel, TensorEntry } from '../models/types.js';
import { engineConfig } from './config.js';
import type { LinearLoadOptions, NativeEngineConfig, NativeEngineModel, NativeEngineSession, NativeEvalResult, NativeLinearInfo, NativeLinearStats } from './native.js';
import { engineTensors } from './stored-tensors.js';

export type EngineLoadOptions = JobOptions & LinearLoadOptions;

/** Anything that hands out a tensor's bytes for native code (ModelTensors does). */
export interface TensorSource {
  get(entry: TensorEntry): NativeTensor;
}

export interface EvalOptions extends JobOptions {
  /** Which positions of the batch get logits: the last (default), all, none, or these batch indices. */
  logits?: 'last' | 'all' | 'none' | number[];
  /** Also return the residual stream after every block: [layers, T, hidden]. */
  hidden?: boolean;
}

export interface EngineModelInfo {
  /** Weight bytes read per generated token (every linear layer and the head). */
  bytesPerToken: number;
  /** Bytes of weights as the engine holds them. */
  sizeBytes: number;
  tiedOutput: boolean;
  linears: (NativeLinearInfo & { name: string })[];
}

export class EngineSession {
  constructor(private readonly s: NativeEngineSession, readonly model: EngineModel) {}

  get position(): number {
    return this.s.position;
  }
  get context(): number {
    return this.s.context;
  }

  /**
   * Runs `tokens` at positions position … position + T − 1 (the KV cache keeps
   * them) and returns logits [rows.length, vocab] for the rows asked for.
   */
  async eval(tokens: ArrayLike<number>, opts: EvalOptions = {}): Promise<NativeEvalResult> {
    const ids = tokens instanceof Int32Array ? tokens : Int32Array.from(tokens);
    const logits = Array.isArray(opts.logits) ? Int32Array.from(opts.logits) : opts.logits;
    return runNative(opts, (n) => this.s.eval(ids, { ...n, logits, hidden: opts.hidden }), { file: this.model.label });
  }

  /** Forgets every position from n on (n ≤ position): rewinds to a shared prefix. */
  truncate(n: number): void {
    try {
      this.s.truncate(n);
    } catch (e) {
      throw toStudioError(e);
    }
  }

  dispose(): void {
    this.s.dispose();
  }
}

export class EngineModel {
  private constructor(private readonly m: NativeEngineModel, readonly config: NativeEngineConfig, readonly label: string, readonly method: string) {}

  /** Loads an opened model's weights (mapped, not copied) with the given linear method. */
  static async load(model: OpenedModel, data: TensorSource, opts: EngineLoadOptions = {}): Promise<EngineModel> {
    const config = engineConfig(model.config, model.format, { file: model.path });
    return EngineModel.fromTensors(config, engineTensors(model, data), opts, model.path);
  }

  /** Loads weights named as the engine names them (llama.cpp names), e.g. random test weights. */
  static async fromTensors(config: NativeEngineConfig, tensors: Record<string, NativeTensor>, opts: EngineLoadOptions = {}, label = 'model'): Promise<EngineModel> {
    const { signal, onProgress, ...linear } = opts;
    const m = await runNative({ signal, onProgress }, (n) => native().engineLoad(config, tensors, { ...n, ...linear }), { file: label });
    return new EngineModel(m, config, label, linear.method ?? 'auto');
  }

  /** A new session with its own KV cache of `context` positions (default: the model's, at most 2048). */
  createSession(context = Math.min(this.config.maxPositions, 2048)): EngineSession {
    try {
      return new EngineSession(this.m.createSession(context), this);
    } catch (e) {
      throw toStudioError(e, { file: this.label });
    }
  }

  info(): EngineModelInfo {
    return this.m.info();
  }

  /** What the linear layers run, e.g. "llm_int8 (int8 + F32 outlier columns) ×35; head: dense F32". */
  describe(): string {
    const counts = new Map<string, number>();
    const linears = this.info().linears;
    for (const l of linears) if (l.name !== 'output') counts.set(`${l.method} ${l.format}`, (counts.get(`${l.method} ${l.format}`) ?? 0) + 1);
    const head = linears.find((l) => l.name === 'output');
    const body = [...counts].map(([k, n]) => `${k} ×${n}`).join(', ');
    return head ? `${body}; head: ${head.method} ${head.format}` : body;
  }

  /** Per linear layer: calls, tokens and LLM.int8() outlier columns since the last reset. */
  linearStats(): (NativeLinearStats & { name: string })[] {
    return this.m.linearStats();
  }

  resetLinearStats(): void {
    this.m.resetLinearStats();
  }

  /** Releases the weights once every session is disposed too. */
  dispose(): void {
    this.m.dispose();
  }
}

/** The linear methods the native engine knows ('dense', 'llm_int8', …). */
export function engineMethods(): string[] {
  return native().engineMethods();
}

export function assertSameVocab(a: EngineModel, b: EngineModel): void {
  if (a.config.vocab !== b.config.vocab) {
    throw new StudioError('INVALID_ARGUMENT', `the models have different vocabularies (${a.config.vocab} and ${b.config.vocab} tokens): they cannot be compared token by token`);
  }
}
