import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.shared.ts';

// register.ts resolves the loader hook relative to import.meta.url, which CommonJS lacks.
export default defineConfig(libraryBuild(['src/index.ts', 'src/register.ts'], { shims: true }));
