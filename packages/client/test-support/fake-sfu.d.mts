export interface FakeSfu {
  port: number;
  url: string;
  dropSocket(identity: string, refuseMs?: number): void;
  forget(identity: string): void;
  participantCount(): number;
  close(): void;
}
export function startFakeSfu(options?: {
  port?: number;
  resumeWindowS?: number;
  onHttp?: (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void;
}): Promise<FakeSfu>;
