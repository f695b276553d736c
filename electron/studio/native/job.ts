// Bridges TypeScript conventions (AbortSignal, StudioError) to the native job
// options (CancelToken, error codes).
import { toStudioError } from '../../common/errors.js';
import { native, type NativeJobOptions } from './addon.js';

export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, stage: string) => void;
}

/**
 * Runs a native async call with a CancelToken tied to `opts.signal`; rejects
 * with a StudioError. The token is cancelled at once if the signal already fired.
 */
export async function runNative<T>(
  opts: JobOptions | undefined,
  call: (nativeOpts: NativeJobOptions) => Promise<T>,
  where: { file?: string; tensor?: string } = {},
): Promise<T> {
  const token = new (native().CancelToken)();
  const onAbort = () => token.cancel();
  if (opts?.signal) {
    if (opts.signal.aborted) token.cancel();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  }
  try {
    return await call({ signal: token, onProgress: opts?.onProgress });
  } catch (e) {
    throw toStudioError(e, where);
  } finally {
    opts?.signal?.removeEventListener('abort', onAbort);
  }
}
