import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.shared.ts';

// The CommonJS build finds the .proto folder through import.meta.url too.
export default defineConfig(libraryBuild(['src/index.ts'], { shims: true }));
