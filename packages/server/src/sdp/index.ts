export * from "./answer.js";
export * from "./codecs.js";
export * from "./parse.js";
export type * from "./types.js";
