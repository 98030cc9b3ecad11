/**
 * TLS to the source as the contract holds it (the modes, the checks of the settings), shared by
 * the provider and the runtime; runtime/source/tls.ts turns it into connection options. The
 * modes are MySQL's own:
 *   disabled         no TLS;
 *   preferred        TLS when the server offers it, else none (MySQL's client default);
 *   required         TLS or no connection, the server's certificate not checked;
 *   verify-ca        required, and the certificate signed by `ca` (or a CA Node trusts);
 *   verify-identity  verify-ca, and the certificate names the host connected to.
 * Every source connection is made with these options: the prechecks, the binlog (zongji hands
 * them to mysql2), the full sync, lookups.
 *
 * mysql2 checks the name only for a host name: for an IP address Node compares the certificate
 * with "localhost" (seen here: a certificate for localhost passed at 127.0.0.1). So verify-identity
 * needs a name: the host itself, or `serverName` (the name the certificate holds), with the socket
 * then opened to the host given.
 */
import crypto from "node:crypto";
import net from "node:net";

export const TLS_MODES = ["disabled", "preferred", "required", "verify-ca", "verify-identity"] as const;
export type TlsMode = (typeof TLS_MODES)[number];

/**
 * The mode when none is given. Nothing goes in the clear unless the program says "disabled":
 * "required" (encrypted, the server not verified: verifying needs the server's CA, which only
 * the user can give, e.g. the RDS CA bundle); with a CA given, the server is verified:
 * "verify-identity", or "verify-ca" for an IP address without a serverName (see below).
 */
export function defaultTlsMode(tls: { ca?: unknown; serverName?: unknown } | undefined, host: unknown): TlsMode {
  if (typeof tls?.ca !== "string") return "required";
  return typeof host === "string" && net.isIP(host) && typeof tls.serverName !== "string" ? "verify-ca" : "verify-identity";
}

/** TLS settings with the key in the clear (memory only). PEM text. */
export interface SourceTls {
  mode: TlsMode;
  ca?: string;
  cert?: string;
  key?: string;
  serverName?: string;
}

/** What is wrong with TLS settings (property under `path`, a message), each problem once. */
export function sourceTlsProblems(tls: unknown, host: unknown, path: string): { property: string; message: string }[] {
  if (tls === undefined || tls === null) return [];
  if (typeof tls !== "object" || Array.isArray(tls)) return [{ property: path, message: "must be { mode, ca?, cert?, key?, serverName? }" }];
  const t = tls as Record<string, unknown>;
  const problems: { property: string; message: string }[] = [];
  const mode = t.mode ?? defaultTlsMode(t, host);
  if (typeof mode !== "string" || !(TLS_MODES as readonly string[]).includes(mode)) {
    problems.push({ property: `${path}.mode`, message: `must be one of ${TLS_MODES.map((m) => JSON.stringify(m)).join(", ")}, got ${JSON.stringify(mode)}` });
  }
  if (t.serverName !== undefined && typeof t.serverName !== "string") problems.push({ property: `${path}.serverName`, message: "must be text" });
  problems.push(...tlsMaterialProblems(t, path, "the RDS CA file read with fs.readFileSync"));
  if (mode === "verify-identity" && typeof host === "string" && net.isIP(host) && typeof t.serverName !== "string") {
    problems.push({
      property: `${path}.serverName`,
      message: `is needed: under verify-identity the server's certificate must name the host, and ${host} is an address (mysql2 would check it against "localhost"). Give the name the certificate holds (e.g. the RDS endpoint), or use mode "verify-ca"`,
    });
  }
  return problems;
}

/**
 * What is wrong with the PEM material of TLS settings (a source's or a Kafka cluster's): a CA
 * bundle that does not parse, a certificate without its key or a key without its certificate, a
 * key that is not the certificate's. Key values are never shown.
 */
export function tlsMaterialProblems(t: Record<string, unknown>, path: string, caExample: string): { property: string; message: string }[] {
  const problems: { property: string; message: string }[] = [];
  for (const key of ["ca", "cert"] as const) {
    if (t[key] !== undefined && typeof t[key] !== "string") problems.push({ property: `${path}.${key}`, message: "must be PEM text" });
  }
  if (typeof t.ca === "string" && !certificatesParse(t.ca)) {
    problems.push({ property: `${path}.ca`, message: `is not a PEM certificate bundle (-----BEGIN CERTIFICATE-----...); give the CA bundle's text, e.g. ${caExample}` });
  }
  let certificate: crypto.X509Certificate | undefined;
  if (typeof t.cert === "string") {
    certificate = parseCertificate(t.cert);
    if (!certificate) problems.push({ property: `${path}.cert`, message: "is not a PEM certificate (-----BEGIN CERTIFICATE-----...)" });
  }
  // keyEncrypted: a config record's key, encrypted with the group key (present, not readable here).
  const keyGiven = (t.key !== undefined && t.key !== null) || (t.keyEncrypted !== undefined && t.keyEncrypted !== null);
  if (t.cert !== undefined && t.cert !== null && !keyGiven) problems.push({ property: `${path}.key`, message: `is missing: a client certificate needs its private key (give ${path}.key, as a secret)` });
  if (keyGiven && (t.cert === undefined || t.cert === null)) problems.push({ property: `${path}.cert`, message: `is missing: a private key needs its client certificate (give ${path}.cert)` });
  if (t.key !== undefined && t.key !== null) {
    const key = typeof t.key === "string" ? parseKey(t.key) : undefined;
    if (!key) problems.push({ property: `${path}.key`, message: "is not a PEM private key (its value is not shown)" });
    else if (certificate && !certificate.checkPrivateKey(key)) problems.push({ property: `${path}.key`, message: `is not the private key of ${path}.cert: give the key the certificate was made for (its value is not shown)` });
  }
  return problems;
}

function certificatesParse(pem: string): boolean {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.length > 0 && blocks.every((b) => parseCertificate(b) !== undefined);
}

function parseCertificate(pem: string): crypto.X509Certificate | undefined {
  try {
    return new crypto.X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function parseKey(pem: string): crypto.KeyObject | undefined {
  try {
    return crypto.createPrivateKey(pem);
  } catch {
    return undefined;
  }
}


/** The TLS settings a source connection uses: those given, with the mode made explicit (defaultTlsMode). */
export function resolveSourceTls(tls: Partial<SourceTls> | undefined, host: unknown): SourceTls {
  const given = tls ?? {};
  return {
    mode: given.mode ?? defaultTlsMode(given, host),
    ...(given.ca ? { ca: given.ca } : {}),
    ...(given.cert ? { cert: given.cert } : {}),
    ...(given.key ? { key: given.key } : {}),
    ...(given.serverName ? { serverName: given.serverName } : {}),
  };
}
