// Loaded with `node --import` ahead of a process under test: records every module the process
// resolves (ESM imports and require() alike, through the synchronous module hooks) plus
// require.cache, and writes the list as JSON to $KIRA_LOADED_MODULES_FILE when the process exits.
import { writeFileSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const outputFile = process.env.KIRA_LOADED_MODULES_FILE;
if (!outputFile) throw new Error('record-loaded-modules: set KIRA_LOADED_MODULES_FILE');
if (typeof registerHooks !== 'function') throw new Error(`record-loaded-modules: node:module registerHooks is missing in Node ${process.version}`);

const loaded = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    loaded.add(result.url.startsWith('file:') ? fileURLToPath(result.url) : result.url);
    return result;
  },
});

process.on('exit', () => {
  for (const id of Object.keys(createRequire(import.meta.url).cache)) loaded.add(id);
  writeFileSync(outputFile, JSON.stringify([...loaded].sort(), null, 1));
});
