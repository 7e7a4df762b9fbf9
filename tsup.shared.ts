import type { Options } from 'tsup';

/**
 * How every published package builds: ESM + CommonJS with types and sourcemaps for Node 22 (OTel's
 * require hooks and many services are still CommonJS). A package passes its entry points and
 * anything it needs on top.
 */
export function libraryBuild(entry: string[], extra: Options = {}): Options {
  return { entry, format: ['esm', 'cjs'], dts: true, sourcemap: true, clean: true, target: 'node22', ...extra };
}
