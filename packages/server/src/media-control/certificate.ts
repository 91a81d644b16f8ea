import { CipherContext } from "werift";

export interface WorkerCertificate {
  certPem: string;
  keyPem: string;
  signatureHash: unknown;
  der: Uint8Array;
}

/** One self-signed ECDSA P-256 certificate per process for DTLS (its fingerprint goes into every answer). */
export async function createDtlsCertificate(): Promise<WorkerCertificate> {
  // werift's enums: signature ecdsa = 3, hash sha256 = 4, curve secp256r1 = 23.
  type Args = Parameters<typeof CipherContext.createSelfSignedCertificateWithKey>;
  const { certPem, keyPem, signatureHash } = await CipherContext.createSelfSignedCertificateWithKey(
    { signature: 3, hash: 4 } as unknown as Args[0],
    23 as unknown as Args[1],
  );
  const b64 = certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
  return { certPem, keyPem, signatureHash, der: new Uint8Array(Buffer.from(b64, "base64")) };
}
