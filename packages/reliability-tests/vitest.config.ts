import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Every file drives child processes and a real collector; one file at a time keeps the figures
// (RSS, timings) meaningful on a shared 2-core machine.
export default mergeConfig(shared, { test: { fileParallelism: false, testTimeout: 60_000, hookTimeout: 60_000 } });
