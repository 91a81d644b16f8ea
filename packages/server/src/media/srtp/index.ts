export { isSrtpProfile, SrtpProfile, type SrtpProfileId, srtpKeyLengths } from "./profiles.js";
export { SrtpSession, type SrtpSessionOptions } from "./session.js";
