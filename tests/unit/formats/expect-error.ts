// Asserts that a call fails with a StudioError of the given code whose message
// names the file (and tensor) and the problem.
import { expect } from 'vitest';
import { StudioError, type StudioErrorCode } from '../../../electron/common/errors.js';

export async function expectStudioError(
  call: () => unknown,
  want: { code?: StudioErrorCode; file?: string; tensor?: string; problem: RegExp },
): Promise<StudioError> {
  let error: unknown;
  try {
    await call();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a StudioError').toBeInstanceOf(StudioError);
  const e = error as StudioError;
  expect(e.code).toBe(want.code ?? 'BAD_FILE');
  expect(e.message).toMatch(want.problem);
  if (want.file) {
    expect(e.message).toContain(want.file);
    expect(e.file).toBe(want.file);
  }
  if (want.tensor) {
    expect(e.message).toContain(`'${want.tensor}'`);
    expect(e.tensor).toBe(want.tensor);
  }
  return e;
}
