import fs from 'node:fs';
import path from 'node:path';

export interface WorkspacePackage {
  name: string;
  /** Directory of the package inside the copy. */
  dir: string;
  /** Directory of the package in the real workspace. */
  source: string;
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
  engines?: Record<string, string>;
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

/** Every package of the workspace at `root`, by its manifest: name, directory, private or not. */
export function listWorkspacePackages(root: string): Array<{ name: string; dir: string; private: boolean }> {
  return workspaceDirs(root).map((dir) => {
    const manifest = readManifest(dir);
    return { name: manifest.name, dir, private: manifest.private === true };
  });
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
 * Copies the workspace's release inputs (the root's files, `.changeset/`, every package's
 * manifest, and the whole of each publishable package minus node_modules) into `dest`, so
 * versioning and publishing there never touch the real repository. `workspace:` dependencies are
 * linked the way `pnpm install` would, which is all `pnpm publish` needs to rewrite them: to the
 * copy of a publishable package, and to the real directory of a private one (only its manifest
 * is copied, and it is never versioned).
 */
export function copyWorkspace(root: string, dest: string): WorkspacePackage[] {
  fs.mkdirSync(dest, { recursive: true });
  // Root files (manifest, workspace file, shared tsconfig and vitest config, …); never `.git`,
  // which in a worktree is a file pointing at the real repository.
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (entry.isFile() && !entry.name.startsWith('.')) fs.copyFileSync(path.join(root, entry.name), path.join(dest, entry.name));
  }
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
    packages.push({ name: manifest.name, dir: target, source, private: manifest.private === true });
  }

  const dirByName = new Map(packages.map((pkg) => [pkg.name, pkg.private ? pkg.source : pkg.dir]));
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

/** `dir/node_modules/<name>` for every installed package name, scoped names included. */
function installedNames(dir: string): string[] {
  const modules = path.join(dir, 'node_modules');
  if (!fs.existsSync(modules)) return [];
  const names: string[] = [];
  for (const entry of fs.readdirSync(modules)) {
    // Tool state and caches (.pnpm, .modules.yaml, .vite, …) stay behind; `.bin` is what
    // `pnpm run` puts on PATH.
    if (entry.startsWith('.') && entry !== '.bin') continue;
    if (entry.startsWith('@')) names.push(...fs.readdirSync(path.join(modules, entry)).map((name) => `${entry}/${name}`));
    else names.push(entry);
  }
  return names;
}

/**
 * Makes the copy's root and the named packages runnable (their tests, their scripts) without an
 * install: each `node_modules` entry the real workspace has, and the copy does not (the copy's
 * own workspace links win), becomes a link to the real installed package. The `node_modules`
 * directories themselves are real, so caches written there (vitest's) stay in the copy.
 */
export function linkInstalledDependencies(root: string, dest: string, packages: readonly WorkspacePackage[]): void {
  const pairs = [{ source: root, dir: dest }, ...packages];
  for (const { source, dir } of pairs) {
    for (const name of installedNames(source)) {
      const link = path.join(dir, 'node_modules', name);
      if (fs.existsSync(link)) continue;
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(fs.realpathSync(path.join(source, 'node_modules', name)), link, 'dir');
    }
  }
}
