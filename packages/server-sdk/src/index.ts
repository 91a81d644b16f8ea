export { AccessToken, type AccessTokenOptions } from "./access-token.js";
export { RelaisApiError, RoomServiceClient } from "./room-service-client.js";
export { WebhookReceiver, WebhookVerificationError } from "./webhook-receiver.js";
