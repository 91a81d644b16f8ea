/** Layer rules of ../shared/design/ARCHITECTURE.md, checked in the test command. */
const S = "^packages/server/src/";
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "type-only cycles (a handle naming its owner's type) are fine; runtime cycles are not",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "protocol-imports-nothing-of-ours",
      severity: "error",
      from: { path: "^packages/protocol/" },
      to: { path: "^packages/(server|client|web)/" },
    },
    { name: "client-only-protocol", severity: "error", from: { path: "^packages/client/" }, to: { path: "^packages/(server|web)/" } },
    { name: "web-no-server", severity: "error", from: { path: "^packages/web/" }, to: { path: "^packages/server/" } },
    {
      name: "server-sdk-only-protocol",
      severity: "error",
      from: { path: "^packages/server-sdk/" },
      to: { path: "^packages/(server|client|web)/" },
    },
    {
      name: "node-does-not-use-the-sdk",
      comment: "the server SDK is for integrators; the node itself only uses it in its end-to-end tests",
      severity: "error",
      from: { path: S, pathNot: S + "e2e/" },
      to: { path: "^packages/server-sdk/" },
    },
    {
      name: "media-only-channel-and-shared",
      comment: "worker-thread code imports only media-channel and shared",
      severity: "error",
      from: { path: S + "media/" },
      to: { path: S, pathNot: S + "(media|media-channel|shared)/" },
    },
    {
      name: "media-channel-pure",
      severity: "error",
      from: { path: S + "media-channel/" },
      to: { path: S, pathNot: S + "(media-channel|shared)/" },
    },
    {
      name: "signaling-api-never-media",
      severity: "error",
      from: { path: S + "(signaling|api)/" },
      to: { path: S + "(media|media-control|media-channel)/" },
    },
    {
      name: "rooms-no-sockets",
      severity: "error",
      from: { path: S + "rooms/" },
      to: { path: "^(ws|dgram|net|node:dgram|node:net)$|" + S + "(signaling|api)/" },
    },
    { name: "sdp-pure", severity: "error", from: { path: S + "sdp/" }, to: { path: S, pathNot: S + "(sdp|shared)/" } },
    { name: "shared-imports-nothing", severity: "error", from: { path: S + "shared/" }, to: { path: S, pathNot: S + "shared/" } },
    {
      name: "only-main-builds-adapters",
      comment: "concrete adapters are wired in main.ts (and the CLI that calls it: cli.ts, cli/)",
      severity: "error",
      from: { path: S, pathNot: S + "(main|cli)\\.ts$|" + S + "cli/|\\.test\\.ts$|" + S + "e2e/" },
      to: { path: S + "main\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|public)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["source", "import", "default"] },
  },
};
