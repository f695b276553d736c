// StudioApi: the one contract between the window and the engine. Every call is
// a request schema (zod, validated wherever a request arrives: Electron main
// process and the browser-mode server), a response type, and progress events
// pushed from running jobs. The renderer, the preload, both transports and the
// tests import this file; it imports nothing from Node or the DOM.
//
// This file is the skeleton the window and the services meet at; extend it by
// adding a call to `studioCalls` (the schema) and to `StudioApi` (the types).
import { z } from 'zod';
import type { StudioErrorInfo } from './errors.js';

const path = z.string().min(1).max(4096);
const id = z.string().min(1).max(128);

export const studioCalls = {
  'system.info': z.object({}),
  'models.open': z.object({ path }),
  'models.sample': z.object({}),
  'models.recent': z.object({}),
  'models.close': z.object({ modelId: id }),
  'models.tensorStats': z.object({ modelId: id, tensor: z.string().min(1).max(512), bins: z.number().int().min(8).max(4096).optional() }),
  'recipes.presets': z.object({}),
  'recipes.validate': z.object({ recipe: z.unknown() }),
  'recipes.estimate': z.object({ modelId: id, recipe: z.unknown() }),
  'jobs.start': z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('inspect'), modelId: id }),
    z.object({ kind: z.literal('compress'), modelId: id, recipe: z.unknown() }),
    z.object({ kind: z.literal('export'), jobId: id, format: z.enum(['gguf', 'safetensors']), type: z.string().max(32).optional(), path }),
    z.object({ kind: z.literal('compare'), modelA: path, modelB: path, prompt: z.string().max(100_000).optional(), text: z.string().max(50_000_000).optional(), llmInt8: z.object({ threshold: z.number().positive() }).optional(), maxTokens: z.number().int().min(1).max(4096).optional() }),
  ]),
  'jobs.cancel': z.object({ jobId: id }),
  'jobs.get': z.object({ jobId: id }),
} as const;

export type StudioCallName = keyof typeof studioCalls;
export type StudioRequest<N extends StudioCallName> = z.infer<(typeof studioCalls)[N]>;

/** Progress of a running job, pushed as an event (IPC or WebSocket). */
export interface JobProgress {
  jobId: string;
  kind: string;
  stage: string;
  /** Overall fraction 0..1. */
  fraction: number;
  /** The item being worked on (a tensor name, a layer) and how far it is. */
  item?: string;
  itemFraction?: number;
  itemsDone?: number;
  itemsTotal?: number;
  /** Bytes of input per second, measured over the job so far. */
  bytesPerSecond?: number;
  etaSeconds?: number;
  elapsedSeconds: number;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobEvent {
  jobId: string;
  type: 'progress' | 'log' | 'token' | 'finished';
  progress?: JobProgress;
  log?: { level: 'info' | 'warn' | 'error'; message: string; time: number };
  /** Streamed generation text (compare jobs): which side, the text piece. */
  token?: { side: 'a' | 'b'; text: string; id: number };
  finished?: { status: JobStatus; error?: StudioErrorInfo; result?: unknown };
}

/** Result envelope of every call: the response, or a StudioError as data. */
export type StudioResult<T> = { ok: true; value: T } | { ok: false; error: StudioErrorInfo };
