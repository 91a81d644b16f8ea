/** Drives a level bar from an audio track (RMS of the time-domain signal, ~20 fps). */
export class AudioMeter {
  #context: AudioContext | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(track: MediaStreamTrack, bar: HTMLElement) {
    const Context = globalThis.AudioContext;
    if (!Context) return;
    const context = new Context();
    this.#context = context;
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    this.#timer = setInterval(() => {
      if (context.state === "suspended") void context.resume().catch(() => {});
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      const level = track.enabled ? Math.min(1, Math.sqrt(sum / samples.length) * 4) : 0;
      bar.style.transform = `scaleX(${level.toFixed(3)})`;
    }, 50);
  }

  stop(): void {
    clearInterval(this.#timer);
    void this.#context?.close().catch(() => {});
    this.#context = undefined;
  }
}
