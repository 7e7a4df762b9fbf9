import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Publishing, installing with two clients and type-checking twice is slow on 2 shared cores:
// the hooks and tests get a budget well above their measured time, but still bounded.
export default mergeConfig(shared, {
  test: {
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
