import { createHash } from "node:crypto";
import { DtlsServer } from "werift";

export interface DtlsCertificate {
  certPem: string;
  keyPem: string;
  // werift's { signature, hash } pair, opaque to us.
  signatureHash: unknown;
  /** DER bytes, for the fingerprint. */
  der: Buffer;
}

export interface DtlsKeys {
  profile: number;
  localKey: Buffer;
  localSalt: Buffer;
  remoteKey: Buffer;
  remoteSalt: Buffer;
}

export interface DtlsSessionOptions {
  certificate: DtlsCertificate;
  srtpProfiles: number[];
  /** Expected remote fingerprints from the offer (RFC 8122); the handshake fails if none matches. */
  remoteFingerprints: { algorithm: string; value: string }[];
  send: (buf: Buffer) => void;
  onConnected: (keys: DtlsKeys) => void;
  onFailed: (reason: string) => void;
  /** DTLS application data after the handshake: SCTP packets of data channels (RFC 8261). */
  onApplicationData?: (buf: Buffer) => void;
}

const ignore = () => {};

const KEY_LENGTHS: Record<number, [number, number]> = { 1: [16, 14], 7: [16, 12] };

export function fingerprintOf(der: Buffer, algorithm = "sha-256"): string {
  const hex = createHash(algorithm.replace("-", "")).update(der).digest("hex").toUpperCase();
  return hex.match(/.{2}/g)!.join(":");
}

/**
 * DTLS 1.2 server with use_srtp (RFC 5764) over our own ICE tuple: werift's
 * DtlsServer does the handshake, we feed it datagrams and take the keys.
 */
export class DtlsSession {
  private readonly server: DtlsServer;
  private readonly transport: {
    type: string;
    closed: boolean;
    address: unknown;
    onData: (buf: Buffer) => void;
    send: (b: Buffer) => Promise<void>;
    close: () => Promise<void>;
  };
  private done = false;
  /** Handshake complete and the remote fingerprint verified: application data may flow. */
  private verified = false;

  constructor(private readonly o: DtlsSessionOptions) {
    this.transport = {
      type: "relais-ice",
      closed: false,
      address: {},
      onData: () => {},
      send: async (b: Buffer) => o.send(b),
      close: async () => {},
    };
    this.server = new DtlsServer({
      // biome-ignore lint/suspicious/noExplicitAny: werift's Transport type is wider than what it uses
      transport: this.transport as any,
      cert: o.certificate.certPem,
      key: o.certificate.keyPem,
      // biome-ignore lint/suspicious/noExplicitAny: opaque werift value
      signatureHash: o.certificate.signatureHash as any,
      // biome-ignore lint/suspicious/noExplicitAny: werift's SrtpProfile is a numeric union
      srtpProfiles: o.srtpProfiles as any,
      extendedMasterSecret: true,
      certificateRequest: true,
    });
    this.server.onConnect.subscribe(() => this.connected());
    this.server.onError.subscribe((err: Error) => this.fail(`dtls error: ${err.message}`));
    const onData = o.onApplicationData;
    if (onData)
      this.server.onData.subscribe((buf: Buffer) => {
        if (this.verified && !this.transport.closed) onData(buf);
      });
  }

  /** Sends one application-data record (an SCTP packet, RFC 8261 §3); dropped before the handshake completes. */
  sendApplicationData(buf: Buffer): void {
    if (this.transport.closed || !this.verified) return;
    this.server.send(buf).catch(ignore);
  }

  handle(buf: Buffer): void {
    if (this.transport.closed) return;
    try {
      this.transport.onData(buf);
    } catch (err) {
      this.fail(`dtls error: ${(err as Error).message}`);
    }
  }

  private connected(): void {
    if (this.done) return;
    const cert = this.server.remoteCertificate;
    if (!cert) {
      this.fail("peer sent no certificate");
      return;
    }
    const ok = this.o.remoteFingerprints.some((fp) => {
      try {
        return fingerprintOf(Buffer.from(cert), fp.algorithm) === fp.value.toUpperCase();
      } catch {
        return false;
      }
    });
    if (!ok) {
      this.fail("remote certificate fingerprint mismatch");
      return;
    }
    const profile = this.server.srtp.srtpProfile as number | undefined;
    const lengths = profile !== undefined ? KEY_LENGTHS[profile] : undefined;
    if (!lengths) {
      this.fail("no SRTP profile negotiated");
      return;
    }
    this.done = true;
    this.verified = true;
    const k = this.server.extractSessionKeys(lengths[0], lengths[1]);
    this.o.onConnected({
      profile: profile!,
      localKey: k.localKey,
      localSalt: k.localSalt,
      remoteKey: k.remoteKey,
      remoteSalt: k.remoteSalt,
    });
  }

  private fail(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.o.onFailed(reason);
  }

  close(): void {
    if (this.transport.closed) return;
    this.transport.closed = true;
    this.done = true;
    try {
      this.server.close();
    } catch {
      // already closed
    }
  }
}
