import { defineConfig } from 'tsup';

// Two builds: the library (ESM + CJS + d.ts) and the CLI (ESM only, with a shebang). Each cleans
// only its own files, since both write to dist/ at the same time. chdb stays external: it is a
// devDependency the CLI's `validate` loads at run time.
export default defineConfig([
  {
    entry: ['src/index.ts', 'src/schema.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: ['index.*', 'schema.*', 'chunk-*'],
    target: 'node22',
    external: ['chdb'],
  },
  {
    entry: ['src/cli.ts'],
    format: ['esm'],
    sourcemap: true,
    clean: ['cli.*'],
    target: 'node22',
    external: ['chdb'],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
