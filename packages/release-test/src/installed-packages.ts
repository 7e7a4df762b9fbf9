import fs from 'node:fs';
import path from 'node:path';

export interface InstalledPackage {
  name: string;
  version: string;
}

/** Every package version an install put into `projectDir`, read from its npm or pnpm lockfile. */
export function installedPackages(projectDir: string, client: 'npm' | 'pnpm'): InstalledPackage[] {
  const found: InstalledPackage[] = [];
  if (client === 'npm') {
    const lock = JSON.parse(fs.readFileSync(path.join(projectDir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    for (const [key, entry] of Object.entries(lock.packages)) {
      if (key === '') continue;
      found.push({ name: key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length), version: entry.version ?? '' });
    }
  } else {
    const lock = fs.readFileSync(path.join(projectDir, 'pnpm-lock.yaml'), 'utf8');
    // The `packages:` section has one two-space-indented key per package version: `'name@version':`.
    const section = /^packages:\n([\s\S]*?)(?=^\S|(?![\s\S]))/m.exec(lock)?.[1] ?? '';
    for (const match of section.matchAll(/^ {2}'?(@?[^@'\s]+)@([^'\s]+?)'?:/gm)) {
      found.push({ name: match[1] as string, version: match[2] as string });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}
