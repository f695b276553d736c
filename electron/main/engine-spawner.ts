// Starts the engine in an Electron utility process (a Node process Chromium
// manages, with the addon loaded there instead of in the main process).
import type { EngineSpawner, FromEngine, ToEngine } from '../common/engine-protocol.js';
import type { ElectronApi } from './electron-api.js';

export function utilitySpawner(electron: ElectronApi, modulePath: string, env: NodeJS.ProcessEnv = {}): EngineSpawner {
  return () => {
    const child = electron.utilityProcess.fork(modulePath, [], {
      serviceName: 'Model Compression Studio engine',
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    let stopping = false;
    return {
      get pid() {
        return child.pid;
      },
      send(message: ToEngine) {
        if (message.t === 'shutdown') stopping = true;
        child.postMessage(message);
      },
      onMessage(listener) {
        child.on('message', (m) => listener(m as FromEngine));
      },
      onExit(listener) {
        child.on('exit', (code) => listener(`exit code ${code}`, stopping));
      },
      kill() {
        stopping = true;
        child.kill();
      },
    };
  };
}
