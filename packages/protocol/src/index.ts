export * from "./api.js";
export * from "./errors.js";
export * from "./grants.js";
export * from "./models.js";
export * from "./signaling.js";
export * from "./webhooks.js";
