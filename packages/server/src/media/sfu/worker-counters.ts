/** Counters of everything a worker dropped or handled, exported through getWorkerStats. */
export interface WorkerCounters {
  droppedGarbage: number;
  droppedUnknownTuple: number;
  droppedUnknownSsrc: number;
  droppedSrtp: number;
  stunRequests: number;
  stunRejected: number;
  /** RTP packets forwarded by consumers that have since closed (live ones are summed on demand). */
  rtpForwardedByClosed: number;
}

export function newWorkerCounters(): WorkerCounters {
  return {
    droppedGarbage: 0,
    droppedUnknownTuple: 0,
    droppedUnknownSsrc: 0,
    droppedSrtp: 0,
    stunRequests: 0,
    stunRejected: 0,
    rtpForwardedByClosed: 0,
  };
}
