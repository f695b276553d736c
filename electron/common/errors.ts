// The one error type that crosses every boundary (native → services → IPC/HTTP →
// window). `code` says what kind of failure it is; `file` and `tensor` say where.
export type StudioErrorCode =
  | 'BAD_FILE' // the file is not what it claims: truncated, corrupt, unsupported
  | 'INVALID_ARGUMENT' // the caller asked for something that cannot be done
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS' // an output would replace something the user did not ask to replace
  | 'UNSUPPORTED' // valid, but not something this version handles
  | 'CANCELLED'
  | 'OUT_OF_MEMORY'
  | 'ENGINE_CRASHED'
  | 'INTERNAL';

export interface StudioErrorInfo {
  code: StudioErrorCode;
  message: string;
  file?: string;
  tensor?: string;
}

export class StudioError extends Error implements StudioErrorInfo {
  readonly code: StudioErrorCode;
  readonly file?: string;
  readonly tensor?: string;

  constructor(code: StudioErrorCode, message: string, where: { file?: string; tensor?: string } = {}) {
    super(message);
    this.name = 'StudioError';
    this.code = code;
    this.file = where.file;
    this.tensor = where.tensor;
  }

  toJSON(): StudioErrorInfo {
    return { code: this.code, message: this.message, file: this.file, tensor: this.tensor };
  }

  static fromJSON(info: StudioErrorInfo): StudioError {
    return new StudioError(info.code, info.message, { file: info.file, tensor: info.tensor });
  }
}

export const isCancelled = (e: unknown): boolean => e instanceof StudioError && e.code === 'CANCELLED';

/** Helpers that build the common errors with the file (and tensor) in the message. */
export const badFile = (file: string, problem: string, tensor?: string): StudioError =>
  new StudioError('BAD_FILE', tensor ? `${file}: tensor '${tensor}': ${problem}` : `${file}: ${problem}`, { file, tensor });

export const cancelled = (): StudioError => new StudioError('CANCELLED', 'cancelled');

/** Error codes native code sets on its Errors (native/core/error.h) → ours. */
const NATIVE_CODES: Record<string, StudioErrorCode> = {
  EINVAL: 'INVALID_ARGUMENT',
  EBADFILE: 'BAD_FILE',
  ECANCELLED: 'CANCELLED',
  ENOMEM: 'OUT_OF_MEMORY',
  EINTERNAL: 'INTERNAL',
};

/** Anything thrown → StudioError: native errors (with a `code`), TypeErrors from argument checks, the rest INTERNAL. */
export function toStudioError(e: unknown, where: { file?: string; tensor?: string } = {}): StudioError {
  if (e instanceof StudioError) return e;
  const err = e as { code?: string; message?: string };
  const code = (err?.code && NATIVE_CODES[err.code]) || (e instanceof TypeError ? 'INVALID_ARGUMENT' : 'INTERNAL');
  return new StudioError(code, err?.message ?? String(e), where);
}
