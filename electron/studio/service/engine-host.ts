// Entry point of the engine process (bundled to dist/engine-host.cjs): hosts the
// native addon and the studio services, answers calls from the shell and
// pushes job events. Started by Electron's utilityProcess on the desktop and by
// child_process.fork in browser mode; the two speak through different ports.
import { createStudioService } from './studio-service.js';
import { openModel } from '../models/index.js';
import type { FromEngine, ToEngine } from '../../common/engine-protocol.js';

interface ParentPort {
  on(event: 'message', listener: (e: { data: ToEngine }) => void): void;
  postMessage(message: FromEngine): void;
}

function connect(): { post(m: FromEngine): void; listen(fn: (m: ToEngine) => void): void } {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return { post: (m) => parentPort.postMessage(m), listen: (fn) => parentPort.on('message', (e) => fn(e.data)) };
  }
  if (!process.send) throw new Error('engine-host must be started by the studio (no parent channel)');
  // The shell went away without saying goodbye: nothing is left to serve.
  process.on('disconnect', () => process.exit(0));
  return { post: (m) => process.send?.(m), listen: (fn) => process.on('message', (m) => fn(m as ToEngine)) };
}

const port = connect();
const service = createStudioService({ emit: (event) => port.post({ t: 'event', event }), openModel });

port.listen((m) => {
  if (m.t === 'call') {
    void service.handle(m.name, m.request).then((result) => port.post({ t: 'result', id: m.id, result }));
  } else if (m.t === 'shutdown') {
    void service.dispose().finally(() => process.exit(0));
  }
});
port.post({ t: 'ready', pid: process.pid });
