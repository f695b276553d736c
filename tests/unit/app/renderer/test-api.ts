// A StudioApi for store tests: each call answered by a function the test
// gives, every call recorded, events pushed by hand. It tests the stores, not
// the services (those have their own tests over the real engine).
import type { StudioApi, StudioCallName, StudioEvent, StudioRequestInput, StudioResponse } from '../../../../electron/common/contract';
import { StudioError } from '../../../../electron/common/errors';

type Handlers = { [N in StudioCallName]?: (req: StudioRequestInput<N>) => StudioResponse<N> | Promise<StudioResponse<N>> };

export class TestApi implements StudioApi {
  calls: { name: StudioCallName; request: unknown }[] = [];
  private listeners = new Set<(e: StudioEvent) => void>();

  constructor(public handlers: Handlers = {}) {}

  async call<N extends StudioCallName>(name: N, request: StudioRequestInput<N>): Promise<StudioResponse<N>> {
    this.calls.push({ name, request });
    const h = this.handlers[name] as ((r: StudioRequestInput<N>) => StudioResponse<N> | Promise<StudioResponse<N>>) | undefined;
    if (!h) throw new StudioError('UNSUPPORTED', `no test handler for ${name}`);
    return h(request);
  }

  onEvent(listener: (e: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: StudioEvent): void {
    for (const l of this.listeners) l(e);
  }

  named(name: StudioCallName): unknown[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.request);
  }
}

export const flush = () => new Promise((r) => setTimeout(r, 0));
