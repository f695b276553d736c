// `mcs info`: what this installation runs on (SIMD path, threads, versions).
import type { Command } from 'commander';
import { native } from '../../studio/native/addon.js';
import { execute, withCommonOptions } from '../command.js';
import { formatTable } from '../output.js';
import { VERSION } from '../version.js';

export function registerInfo(program: Command): void {
  withCommonOptions(program.command('info').description('show the native engine, SIMD path and threads in use')).action(
    (opts: { json?: boolean; quiet?: boolean }) =>
      execute(!!opts.json, !!opts.quiet, {
        run: async () => {
          const sys = native().systemInfo();
          return { version: VERSION, node: process.versions.node, platform: `${process.platform}-${process.arch}`, ...sys };
        },
        print: (r) =>
          formatTable(Object.entries(r), [
            { header: 'property', value: ([k]) => k },
            { header: 'value', value: ([, v]) => String(v), align: 'left' },
          ]),
      }),
  );
}
