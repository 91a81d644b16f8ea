import { AesCmTransform } from "./aes-cm.js";
import { AesGcmTransform } from "./aes-gcm.js";
import type { SessionKeys } from "./kdf.js";
import { NativeAesCmTransform, NativeAesGcmTransform } from "./native-transform.js";
import type { SrtpTransform } from "./transform.js";

/** One implementation of the SRTP transforms, for suites that run against every one. */
export interface SrtpPath {
  readonly name: "ts" | "native";
  /** Value for SrtpSessionOptions.native. */
  readonly native: boolean;
  cm(keys: SessionKeys): SrtpTransform;
  gcm(keys: SessionKeys): SrtpTransform;
}

export const TS_PATH: SrtpPath = { name: "ts", native: false, cm: (k) => new AesCmTransform(k), gcm: (k) => new AesGcmTransform(k) };
export const NATIVE_PATH: SrtpPath = {
  name: "native",
  native: true,
  cm: (k) => new NativeAesCmTransform(k),
  gcm: (k) => new NativeAesGcmTransform(k),
};

/**
 * Both paths. The native one is left out only when RELAIS_NATIVE=0 says so: an
 * addon that is merely missing makes its suites fail, so CI proves both paths.
 */
export const SRTP_PATHS: readonly SrtpPath[] = process.env.RELAIS_NATIVE === "0" ? [TS_PATH] : [TS_PATH, NATIVE_PATH];
