import type { ServerMessageOf } from "@relais/protocol";
import type { LocalParticipant } from "./local-participant.js";
import type { RemoteParticipant } from "./remote-participant.js";
import type { EmitRoomEvent } from "./room-events.js";

/** Any participant of the room, this client's included. */
export type Participant = LocalParticipant | RemoteParticipant;

/**
 * Applies the server's activity events to the participants: who speaks (`isSpeaking`,
 * `audioLevel`, `activeSpeakersChanged`) and how good their connection is
 * (`connectionQuality`, `connectionQualityChanged`). The server ranks and debounces;
 * this only mirrors it.
 */
export class ParticipantActivity {
  #speakers: Participant[] = [];
  readonly #find: (participantSid: string) => Participant | undefined;
  readonly #emit: EmitRoomEvent;

  constructor(find: (participantSid: string) => Participant | undefined, emit: EmitRoomEvent) {
    this.#find = find;
    this.#emit = emit;
  }

  /** Speaking participants, the dominant speaker first. */
  get activeSpeakers(): readonly Participant[] {
    return this.#speakers;
  }

  speakersChanged(m: ServerMessageOf<"speakersChanged">): void {
    const next: Participant[] = [];
    for (const s of m.speakers) {
      const p = this.#find(s.participantSid);
      if (!p) continue;
      p.isSpeaking = true;
      p.audioLevel = s.level;
      next.push(p);
    }
    for (const p of this.#speakers) {
      if (next.includes(p)) continue;
      p.isSpeaking = false;
      p.audioLevel = 0;
    }
    this.#speakers = next;
    this.#emit("activeSpeakersChanged", next);
  }

  connectionQualityChanged(m: ServerMessageOf<"connectionQualityChanged">): void {
    for (const u of m.updates) {
      const p = this.#find(u.participantSid);
      if (!p || p.connectionQuality === u.quality) continue;
      p.connectionQuality = u.quality;
      this.#emit("connectionQualityChanged", u.quality, p);
    }
  }

  /** A participant left: it no longer speaks. */
  forget(p: Participant): void {
    if (!this.#speakers.includes(p)) return;
    this.#speakers = this.#speakers.filter((s) => s !== p);
    this.#emit("activeSpeakersChanged", this.#speakers);
  }
}
