import { type PipeEndpoint, pipeHeader } from "../net/pipe-endpoint.js";
import type { Producer, ProducerSubscriber } from "./producer.js";

/**
 * Sends one producer's packets, unchanged, to another worker of this node
 * (where a pipe producer with the same id fans them out to that worker's
 * subscribers). One datagram per packet whatever the number of subscribers there.
 */
export class PipeConsumer implements ProducerSubscriber {
  /** One immutable frame header per simulcast layer. */
  private readonly headers: Buffer[];
  closed = false;
  packetsSent = 0;

  constructor(
    readonly id: string,
    readonly pipeId: number,
    readonly producer: Producer,
    private readonly endpoint: PipeEndpoint,
    private readonly port: number,
    private readonly onClose: (c: PipeConsumer) => void,
  ) {
    this.headers = Array.from({ length: Math.max(1, producer.layers.length) }, (_, layer) => pipeHeader(pipeId, layer));
  }

  forward(packet: Buffer, layer: number): void {
    const header = this.headers[layer];
    if (header === undefined) return;
    this.packetsSent++;
    this.endpoint.send(header, packet, this.port);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.producer.removeConsumer(this);
    this.onClose(this);
  }
}
