import fs from 'node:fs';
import path from 'node:path';

export interface WorkspacePackage {
  name: string;
  /** Directory of the package inside the copy. */
  dir: string;
  private: boolean;
}

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;
const NOT_COPIED = new Set(['node_modules', '.turbo', 'reports']);

export function readManifest(dir: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

function workspaceGlobs(root: string): string[] {
  const yaml = fs.readFileSync(path.join(root, 'pnpm-workspace.yaml'), 'utf8');
  const block = /^packages:\s*\n((?:[ \t]+-.*\n?)+)/m.exec(yaml)?.[1] ?? '';
  return [...block.matchAll(/-\s*['"]?([^'"\s]+)['"]?/g)].map((match) => match[1] as string);
}

function workspaceDirs(root: string): string[] {
  const dirs: string[] = [];
  for (const glob of workspaceGlobs(root)) {
    if (!glob.endsWith('/*')) throw new Error(`unsupported workspace glob ${glob}`);
    const parent = path.join(root, glob.slice(0, -2));
    if (!fs.existsSync(parent)) continue;
    for (const entry of fs.readdirSync(parent, { withFileTypes: true })) {
      const dir = path.join(parent, entry.name);
      if (entry.isDirectory() && fs.existsSync(path.join(dir, 'package.json'))) dirs.push(dir);
    }
  }
  return dirs;
}

/**
 * Copies the workspace's release inputs (root manifest, workspace file, `.changeset/`, every
 * package's manifest, and the whole of each publishable package minus node_modules) into `dest`,
 * so versioning and publishing there never touch the real repository. `workspace:` dependencies
 * are linked the way `pnpm install` would, which is all `pnpm publish` needs to rewrite them.
 */
export function copyWorkspace(root: string, dest: string): WorkspacePackage[] {
  fs.mkdirSync(dest, { recursive: true });
  for (const file of ['package.json', 'pnpm-workspace.yaml']) fs.copyFileSync(path.join(root, file), path.join(dest, file));
  fs.cpSync(path.join(root, '.changeset'), path.join(dest, '.changeset'), { recursive: true });

  const packages: WorkspacePackage[] = [];
  for (const source of workspaceDirs(root)) {
    const manifest = readManifest(source);
    const target = path.join(dest, path.relative(root, source));
    fs.mkdirSync(target, { recursive: true });
    if (manifest.private) {
      fs.copyFileSync(path.join(source, 'package.json'), path.join(target, 'package.json'));
    } else {
      fs.cpSync(source, target, {
        recursive: true,
        filter: (file) => !NOT_COPIED.has(path.basename(file)) || path.dirname(file) !== source,
      });
    }
    packages.push({ name: manifest.name, dir: target, private: manifest.private === true });
  }

  const dirByName = new Map(packages.map((pkg) => [pkg.name, pkg.dir]));
  for (const pkg of packages) {
    const manifest = readManifest(pkg.dir);
    for (const field of DEPENDENCY_FIELDS) {
      for (const [name, spec] of Object.entries(manifest[field] ?? {})) {
        const target = dirByName.get(name);
        if (!spec.startsWith('workspace:') || target === undefined) continue;
        const link = path.join(pkg.dir, 'node_modules', name);
        if (fs.existsSync(link)) continue;
        fs.mkdirSync(path.dirname(link), { recursive: true });
        fs.symlinkSync(path.relative(path.dirname(link), target), link, 'dir');
      }
    }
  }
  return packages;
}
