// electron-builder.yml: valid for the installed electron-builder, the four
// targets, the bundles and the window in the package, and the native addon and
// the sample unpacked from app.asar (they are loaded and memory-mapped as files).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

const config = YAML.parse(readFileSync('electron-builder.yml', 'utf8'));
const require = createRequire(import.meta.url);

describe('electron-builder.yml', () => {
  it('matches electron-builder’s schema', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration(c: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('builds AppImage and deb, NSIS, and dmg', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win.target).toContain('nsis');
    expect(config.mac.target).toContain('dmg');
  });

  it('packs the bundles, the window and the addon, and unpacks the addon and the sample', () => {
    expect(config.files).toEqual(expect.arrayContaining(['dist/**/*', 'renderer-dist/**/*', 'build/Release/*.node']));
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['build/Release/*.node', 'resources/sample/**/*']));
    expect(config.extraMetadata.main).toBe('dist/main.cjs');
  });
});
