#!/usr/bin/env node
// `pnpm release` publishes through this script so that the @kira registry and its token come from
// the environment only. pnpm 12 reads neither a scoped registry nor a token from `npm_config_*`
// variables, but npm and pnpm both read the user config file named by NPM_CONFIG_USERCONFIG and
// expand `${VAR}` in it; so the file written here names the token variable, never the token.
//
//   KIRA_NPM_REGISTRY  URL of the registry serving the @kira scope, e.g. https://npm.example.com/
//   KIRA_NPM_TOKEN     an auth token for that registry allowed to publish @kira packages
//
// Any further arguments go to `changeset publish` (e.g. `--otp 123456`, `--no-git-tag`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'pnpm release:';

function fail(message) {
  console.error(`${PREFIX} ${message}`);
  process.exit(1);
}

const registryValue = process.env.KIRA_NPM_REGISTRY?.trim();
if (!registryValue) {
  fail('set KIRA_NPM_REGISTRY to the URL of the registry that serves the @kira scope (e.g. https://npm.example.com/).');
}
if (!process.env.KIRA_NPM_TOKEN?.trim()) {
  fail('set KIRA_NPM_TOKEN to an auth token that may publish @kira packages to KIRA_NPM_REGISTRY.');
}

let registry;
try {
  registry = new URL(registryValue.endsWith('/') ? registryValue : `${registryValue}/`);
} catch {
  fail(`KIRA_NPM_REGISTRY is not a URL: ${JSON.stringify(registryValue)}`);
}
if (registry.protocol !== 'https:' && registry.protocol !== 'http:') {
  fail(`KIRA_NPM_REGISTRY must be an http(s) URL, got ${registry.protocol}`);
}
if (registry.username || registry.password) {
  fail('KIRA_NPM_REGISTRY must not carry credentials; put the token in KIRA_NPM_TOKEN.');
}

// Credentials are keyed by the registry URL without its protocol (npm's "nerf dart").
const authKey = `//${registry.host}${registry.pathname}`;
const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kira-release-'));
const userConfig = path.join(configDir, 'npmrc');
fs.writeFileSync(userConfig, `@kira:registry=${registry.href}\n${authKey}:_authToken=\${KIRA_NPM_TOKEN}\n`, {
  mode: 0o600,
});

const env = { ...process.env };
for (const key of Object.keys(env)) {
  // A registry or user config inherited from an outer `npm run` must not win over this one.
  if (/^(npm|pnpm)_config_(userconfig|registry|@kira:registry)$/i.test(key)) delete env[key];
}
env.NPM_CONFIG_USERCONFIG = userConfig;

const require = createRequire(import.meta.url);
const changesetBin = path.join(path.dirname(require.resolve('@changesets/cli/package.json')), 'bin.js');
const child = spawn(process.execPath, [changesetBin, 'publish', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env,
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  fs.rmSync(configDir, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
