import type { PublicationRequest, ServerMessageOf, SubscriptionRequest } from "@relais/protocol";
import { clientError, isTransientSignalError } from "./errors.js";
import { NegotiationQueue } from "./negotiation-queue.js";

export interface OfferContent {
  sdp: string;
  publications: PublicationRequest[];
  subscriptions: SubscriptionRequest[];
}

export interface NegotiatorOptions {
  pc: RTCPeerConnection;
  /** Resolves while signaling is connected; waits during a resume; rejects once the room is disconnected. */
  signalReady: () => Promise<void>;
  sendOffer: (offer: OfferContent) => Promise<ServerMessageOf<"answer">>;
  /** Reads publications and subscriptions; called after setLocalDescription so every mid is assigned. */
  collect: () => { publications: PublicationRequest[]; subscriptions: SubscriptionRequest[] };
  applyAnswer: (answer: ServerMessageOf<"answer">) => void;
  /** The peer connection has data channels, so an offer always has an m-section to bundle. */
  hasDataChannels?: boolean;
}

/**
 * The client-offers negotiation loop, one at a time:
 *
 *   createOffer → setLocalDescription → offer{sdp, publications, subscriptions}
 *   → answer{sdp, …} → setRemoteDescription → apply results
 *
 * If the socket drops while the offer is out, the offer is rolled back and
 * made again once signaling is back; any other failure rolls back and rejects.
 */
export class Negotiator {
  readonly #options: NegotiatorOptions;
  readonly #queue: NegotiationQueue;

  constructor(options: NegotiatorOptions) {
    this.#options = options;
    this.#queue = new NegotiationQueue((captured) => this.#negotiate(captured));
  }

  /** Resolves once an answer covering every change made before this call was applied. */
  negotiate(): Promise<void> {
    return this.#queue.request();
  }

  async #negotiate(captured: () => void): Promise<void> {
    const { pc } = this.#options;
    for (;;) {
      await this.#options.signalReady();
      if (pc.signalingState === "closed") throw clientError("DISCONNECTED");
      captured();
      // With every m-line stopped the offer has no BUNDLE group, which max-bundle
      // refuses; the stopped lines are dropped in the next offer that adds one.
      if (!this.#options.hasDataChannels && !pc.getTransceivers().some((t) => t.direction !== "stopped")) return;
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const { publications, subscriptions } = this.#options.collect();
      let answer: ServerMessageOf<"answer">;
      try {
        answer = await this.#options.sendOffer({ sdp: pc.localDescription?.sdp ?? offer.sdp ?? "", publications, subscriptions });
      } catch (error) {
        await this.#rollback();
        if (isTransientSignalError(error)) continue;
        throw error;
      }
      try {
        await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
      } catch (error) {
        await this.#rollback();
        throw clientError("NEGOTIATION_FAILED", { cause: String(error) });
      }
      this.#options.applyAnswer(answer);
      return;
    }
  }

  async #rollback(): Promise<void> {
    const { pc } = this.#options;
    if (pc.signalingState !== "have-local-offer") return;
    try {
      await pc.setLocalDescription({ type: "rollback" });
    } catch {
      // Nothing to roll back or the connection closed.
    }
  }
}
