// The reference the relay's load benchmark compares against: the stock JavaScript
// automerge-repo sync server (automerge-repo 2.x, its WebSocket server adapter and its Node
// filesystem storage), as its README sets one up. No accounts and no access checks.
//
//     node bench/js-relay.mjs <data-dir>
//
// Prints "listening on ws://127.0.0.1:<port>" once it accepts connections.

import { Repo } from "@automerge/automerge-repo";
import { NodeWSServerAdapter } from "@automerge/automerge-repo-network-websocket";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { WebSocketServer } from "ws";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node bench/js-relay.mjs <data-dir>");
  process.exit(2);
}

// The adapter takes connections only once the repo has read its storage id and called
// `connect`: say where it listens only then.
let connected;
const ready = new Promise((resolve) => (connected = resolve));
class Adapter extends NodeWSServerAdapter {
  connect(peerId, peerMetadata) {
    super.connect(peerId, peerMetadata);
    connected();
  }
}

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
new Repo({
  network: [new Adapter(wss)],
  storage: new NodeFSStorageAdapter(dir),
  peerId: "js-sync-server",
  // A sync server keeps what it is given and pushes nothing nobody asked for.
  sharePolicy: async () => false,
});
await Promise.all([ready, new Promise((resolve) => wss.on("listening", resolve))]);
console.log(`listening on ws://127.0.0.1:${wss.address().port}`);
process.on("SIGTERM", () => process.exit(0));
