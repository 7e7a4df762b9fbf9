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
    // A `packages:` section has one two-space-indented key per package version: `'name@version':`.
    // pnpm 12 may write two YAML documents (its own version first, then the project's), each
    // with such a section.
    for (const [, section = ''] of lock.matchAll(/^packages:\n([\s\S]*?)(?=^\S|(?![\s\S]))/gm)) {
      for (const match of section.matchAll(/^ {2}'?(@?[^@'\s]+)@([^'\s]+?)'?:/gm)) {
        found.push({ name: match[1] as string, version: match[2] as string });
      }
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

interface ListedDependency {
  version?: string;
  dependencies?: Record<string, ListedDependency>;
}

/**
 * Every version of every `@opentelemetry/*` package in a dependency tree as `npm ls --all --json`
 * or `pnpm list --depth Infinity --json` prints it (pnpm prints an array of projects).
 */
export function opentelemetryVersions(listJson: string): Map<string, Set<string>> {
  const parsed = JSON.parse(listJson) as ListedDependency | ListedDependency[];
  const versions = new Map<string, Set<string>>();
  const visit = (dependencies: Record<string, ListedDependency> | undefined): void => {
    for (const [name, dependency] of Object.entries(dependencies ?? {})) {
      if (name.startsWith('@opentelemetry/') && dependency.version !== undefined) {
        const seen = versions.get(name) ?? new Set<string>();
        versions.set(name, seen.add(dependency.version));
      }
      visit(dependency.dependencies);
    }
  };
  for (const root of Array.isArray(parsed) ? parsed : [parsed]) visit(root.dependencies);
  return versions;
}
