// Starts the engine as a Node child process (browser mode and tests). The
// desktop app uses Electron's utilityProcess instead (electron/main/engine-spawner.ts).
import { fork } from 'node:child_process';
import type { EngineProcess, EngineSpawner, FromEngine } from '../../common/engine-protocol.js';

export function forkSpawner(modulePath: string, env: NodeJS.ProcessEnv = {}): EngineSpawner {
  return () => {
    const child = fork(modulePath, [], {
      env: { ...process.env, ...env },
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let stopping = false;
    const proc: EngineProcess = {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (message.t === 'shutdown') stopping = true;
        if (child.connected) child.send(message);
      },
      onMessage(listener) {
        child.on('message', (m) => listener(m as FromEngine));
      },
      onExit(listener) {
        child.once('exit', (code, signal) => listener(signal ? `signal ${signal}` : `exit code ${code}`, stopping));
        child.once('error', (e) => {
          if (child.exitCode === null && child.signalCode === null) listener(`could not start: ${e.message}`, false);
        });
      },
      kill() {
        stopping = true;
        child.kill('SIGKILL');
      },
    };
    return proc;
  };
}
