/** Sent in `join.client` so operators can tell SDK versions apart in logs. */
export const SDK_INFO = { sdk: "relais-js", version: "0.1.0" } as const;
