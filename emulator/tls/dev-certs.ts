import fs from "node:fs";
import path from "node:path";
import forge from "node-forge";

/**
 * A local certificate authority and a localhost certificate signed by it.
 * Office add-ins, MSAL and Graph clients all insist on HTTPS, so the emulator and the demo
 * server serve TLS with these; Node trusts the CA through NODE_EXTRA_CA_CERTS and Chromium
 * through --ignore-certificate-errors-spki-list or a test context that ignores HTTPS errors.
 */
export interface DevCertificates {
  caCertPath: string;
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
  ca: string;
}

const LIFETIME_DAYS = 825;

export function defaultCertDir(): string {
  return path.resolve(process.env.DATA_DIR ?? "data", "certs");
}

export function ensureDevCertificates(dir: string = defaultCertDir()): DevCertificates {
  const caCertPath = path.join(dir, "ca.pem");
  const caKeyPath = path.join(dir, "ca-key.pem");
  const certPath = path.join(dir, "localhost.pem");
  const keyPath = path.join(dir, "localhost-key.pem");
  if (![caCertPath, caKeyPath, certPath, keyPath].every((p) => fs.existsSync(p)) || expiresSoon(certPath)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ca = createCertificateAuthority();
    const leaf = createLocalhostCertificate(ca);
    writePrivate(caKeyPath, forge.pki.privateKeyToPem(ca.keys.privateKey));
    fs.writeFileSync(caCertPath, forge.pki.certificateToPem(ca.cert));
    writePrivate(keyPath, forge.pki.privateKeyToPem(leaf.keys.privateKey));
    fs.writeFileSync(certPath, forge.pki.certificateToPem(leaf.cert) + forge.pki.certificateToPem(ca.cert));
  }
  return {
    caCertPath,
    certPath,
    keyPath,
    ca: fs.readFileSync(caCertPath, "utf8"),
    cert: fs.readFileSync(certPath, "utf8"),
    key: fs.readFileSync(keyPath, "utf8"),
  };
}

function writePrivate(file: string, contents: string): void {
  fs.writeFileSync(file, contents, { mode: 0o600 });
}

function expiresSoon(certPath: string): boolean {
  const cert = forge.pki.certificateFromPem(fs.readFileSync(certPath, "utf8"));
  return cert.validity.notAfter.getTime() - Date.now() < 7 * 24 * 3600 * 1000;
}

interface Issued {
  cert: forge.pki.Certificate;
  keys: forge.pki.rsa.KeyPair;
}

function baseCertificate(keys: forge.pki.rsa.KeyPair, serial: string): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + LIFETIME_DAYS * 24 * 3600 * 1000);
  return cert;
}

function randomSerial(): string {
  return "01" + forge.util.bytesToHex(forge.random.getBytesSync(15));
}

function createCertificateAuthority(): Issued {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = baseCertificate(keys, randomSerial());
  const subject = [{ name: "commonName", value: "Startdeliver Outlook Sync local CA" }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert, keys };
}

function createLocalhostCertificate(ca: Issued): Issued {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = baseCertificate(keys, randomSerial());
  cert.setSubject([{ name: "commonName", value: "localhost" }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 2, value: "localhost" },
        { type: 7, ip: "127.0.0.1" },
        { type: 7, ip: "::1" },
      ],
    },
  ]);
  cert.sign(ca.keys.privateKey, forge.md.sha256.create());
  return { cert, keys };
}

/**
 * The file to hand Node as NODE_EXTRA_CA_CERTS: the local CA plus whatever extra CAs the environment
 * already trusted (some machines set NODE_EXTRA_CA_CERTS to the system bundle), so trusting the emulator
 * takes nothing away. Node reads the variable only at start-up, hence `isTrustedByThisProcess`.
 */
export function trustBundlePath(certs: DevCertificates, inherited = process.env.NODE_EXTRA_CA_CERTS): string {
  const bundlePath = path.join(path.dirname(certs.caCertPath), "trust-bundle.pem");
  if (inherited === bundlePath) return bundlePath;
  const extra = inherited && inherited !== certs.caCertPath && fs.existsSync(inherited) ? fs.readFileSync(inherited, "utf8") : "";
  const contents = `${certs.ca.trim()}\n${extra}`;
  if (!fs.existsSync(bundlePath) || fs.readFileSync(bundlePath, "utf8") !== contents) fs.writeFileSync(bundlePath, contents);
  return bundlePath;
}

export function isTrustedByThisProcess(certs: DevCertificates): boolean {
  const current = process.env.NODE_EXTRA_CA_CERTS;
  return current === certs.caCertPath || current === path.join(path.dirname(certs.caCertPath), "trust-bundle.pem");
}
