import { defineConfig } from 'tsup';

// Two builds: the library (ESM + CJS + d.ts) and the CLI (ESM only, with a shebang). Each cleans
// only its own files, since both write to dist/ at the same time. chdb stays external: it is an
// optional peer dependency `validate` loads at run time. `shims` gives the CJS build an
// `import.meta.url`, with which the chdb install hint finds this package's package.json.
export default defineConfig([
  {
    entry: ['src/index.ts', 'src/schema.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: ['index.*', 'schema.*', 'chunk-*'],
    target: 'node22',
    external: ['chdb'],
    shims: true,
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
