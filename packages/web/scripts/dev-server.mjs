// The app plus the fake SFU on one port, to click through a call without the real server:
//   npm run dev -w @relais/web   →   http://localhost:8091/r/<room>?token=<any JWT with sub, room>
import { startFakeSfu } from "../../client/test-support/fake-sfu.mjs";
import { handleStatic } from "./static-server.mjs";

const server = await startFakeSfu({ port: Number(process.argv[2] ?? 8091), onHttp: handleStatic });
console.log(`app + fake SFU on ${server.url}/r/<room>?token=…`);
