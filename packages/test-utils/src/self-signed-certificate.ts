import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A certificate that is its own CA, for `127.0.0.1`, and its key: PEM text and the files in `directory`. */
export interface SelfSignedCertificate {
  key: string;
  cert: string;
  keyPath: string;
  certPath: string;
}

/**
 * Makes a fresh self-signed certificate for `127.0.0.1` (EC P-256, valid two days) with the
 * system's `openssl`, writing `<name>.key` and `<name>.pem` into `directory`. A client trusts it by
 * taking `certPath` as its CA (`OTEL_EXPORTER_OTLP_CERTIFICATE`, `NODE_EXTRA_CA_CERTS`). Generated
 * per run: no key is committed to the repository.
 */
export function selfSignedCertificate(directory: string, name = 'loopback'): SelfSignedCertificate {
  const keyPath = join(directory, `${name}.key`);
  const certPath = join(directory, `${name}.pem`);
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name} test CA`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`selfSignedCertificate needs the openssl command (Debian: apt-get install openssl): ${stderr || (error as Error).message}`, { cause: error });
  }
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), keyPath, certPath };
}
