export { type OpenStoreOptions, openStore } from "./open-store.js";
export { SecretBox } from "./secret-box.js";
export type * from "./types.js";
export { newWebhookSecret } from "./webhook-endpoints.js";
