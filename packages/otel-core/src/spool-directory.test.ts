import { readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DroppedExports } from './dropped-exports';
import { SpoolDirectory } from './spool-directory';
import { tempDir } from './fixtures/test-cleanups';

// The race between listing the spool and measuring its files, made deterministic: `stat` is the
// real one, except that a test can run a real rename (what another process claiming the file
// does) just before a chosen file is measured. Everything else is the real file system.
const beforeStat = vi.hoisted(() => ({ hook: undefined as ((path: string) => Promise<void>) | undefined }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    stat: async (...args: Parameters<typeof actual.stat>) => {
      const hook = beforeStat.hook;
      if (hook !== undefined && typeof args[0] === 'string') await hook(args[0]);
      return actual.stat(...args);
    },
  };
});

async function spoolBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(join(dir, 'traces'))) total += (await stat(join(dir, 'traces', name))).size;
  return total;
}

describe('SpoolDirectory under a concurrent claim', () => {
  it('counts a file another process claims between the listing and its stat, and stays under the cap', async () => {
    const dir = await tempDir();
    // 40-byte header + 1,000-byte body per file; three files fit.
    const fileBytes = 1_040;
    const limit = 3 * fileBytes + 100;
    const dropped = new DroppedExports({ queueBytes: 0, spoolBytes: limit });
    const writer = new SpoolDirectory(dir, limit, dropped);
    for (let index = 0; index < 3; index += 1) await writer.write('traces', 'pb', new Uint8Array(1_000).fill(index));
    const [oldest] = (await readdir(join(dir, 'traces'))).sort();
    expect(oldest).toBeDefined();

    // Another live process (the test runner's parent) claims the oldest file at the worst moment:
    // after this process listed the directory, before it measured that file.
    const claimedBy = process.ppid;
    let claims = 0;
    beforeStat.hook = async (path) => {
      if (claims > 0 || !path.endsWith(oldest!)) return;
      claims += 1;
      await rename(path, `${path}.claimed-${claimedBy}`);
    };
    try {
      // A second process's spool: it has never measured the directory, so its first write does.
      await new SpoolDirectory(dir, limit, dropped).write('traces', 'pb', new Uint8Array(1_000).fill(3));
    } finally {
      beforeStat.hook = undefined;
    }

    expect(claims).toBe(1);
    const names = (await readdir(join(dir, 'traces'))).sort();
    // The claimed file is not this process's to delete; the oldest unclaimed one made room.
    expect(names).toContain(`${oldest}.claimed-${claimedBy}`);
    expect(names).toHaveLength(3);
    expect(dropped.total).toBe(1);
    expect(await spoolBytes(dir)).toBeLessThanOrEqual(limit);
  });
});
