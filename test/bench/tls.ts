/**
 * The bench's TLS material, made with openssl in the service's own directory: a CA, a server
 * certificate per service (MariaDB's names only localhost, so reaching it at 127.0.0.1 under
 * verify-identity is a mismatch the tests can show; Kafka's names localhost and 127.0.0.1), and a
 * client certificate for an account that requires one. EC P-256 keys, PKCS#8 PEM.
 */
import fs from "node:fs";
import path from "node:path";
import { ensureTool, runChecked } from "./process";

export interface CertificateFiles {
  /** PEM files. */
  cert: string;
  key: string;
}

export interface BenchCertificates {
  /** The CA's certificate (PEM file) that signed the others. */
  ca: string;
  server: CertificateFiles;
  client: CertificateFiles;
}

let openssl: Promise<string> | undefined;

/** Makes a CA, a server certificate for `names` (DNS names and IP addresses) and a client certificate under dir. */
export async function makeCertificates(dir: string, names: string[]): Promise<BenchCertificates> {
  openssl ??= ensureTool("ensure-openssl.sh");
  const bin = await openssl;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (name: string) => path.join(dir, name);
  const run = (args: string[]) => runChecked(bin, args, { timeoutMs: 60_000 });
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run(["req", "-x509", ...key, "-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "3650", "-subj", "/CN=cdc bench CA"]);
  const sign = async (name: string, subject: string, extensions: string) => {
    await run(["req", ...key, "-keyout", file(`${name}.key`), "-out", file(`${name}.csr`), "-subj", subject]);
    fs.writeFileSync(file(`${name}.ext`), extensions);
    await run(["x509", "-req", "-in", file(`${name}.csr`), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial", "-out", file(`${name}.pem`), "-days", "3650", "-extfile", file(`${name}.ext`)]);
  };
  const san = names.map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
  await sign("server", `/CN=${names[0]}`, `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  await sign("client", "/CN=cdc bench client", "extendedKeyUsage=clientAuth\n");
  return { ca: file("ca.pem"), server: { cert: file("server.pem"), key: file("server.key") }, client: { cert: file("client.pem"), key: file("client.key") } };
}
