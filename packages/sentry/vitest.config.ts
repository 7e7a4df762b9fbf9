import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

export default mergeConfig(shared, {
  test: {
    // Load the shared harness natively: transformed under jsdom its `import.meta.url` is not a
    // file URL and it cannot find its .proto files.
    server: { deps: { external: [/packages\/test-utils\//] } },
  },
});
