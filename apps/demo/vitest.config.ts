import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Each file starts the whole stack (collector on chdb, redis, the service, Chromium): one at a time.
export default mergeConfig(shared, { test: { fileParallelism: false, hookTimeout: 180_000 } });
