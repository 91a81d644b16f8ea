/**
 * Turns the server URL given to `Room.connect` into the signaling WebSocket URL:
 * `https://host/base` → `wss://host/base/v1/rtc`. A `ws:`/`wss:` URL that
 * already ends in `/v1/rtc` is used as is.
 */
export function toSignalUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  else if (url.protocol !== "ws:" && url.protocol !== "wss:") throw new TypeError(`Unsupported server URL: ${serverUrl}`);
  const path = url.pathname.replace(/\/+$/, "");
  if (!path.endsWith("/v1/rtc")) url.pathname = `${path}/v1/rtc`;
  url.search = "";
  url.hash = "";
  return url.toString();
}
