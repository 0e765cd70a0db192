// Serves PostGraphile (graphile.config.mjs) with grafserv on Node's own
// HTTP server, one process, at HOST:PORT/graphql — the library-mode setup
// PostGraphile's documentation recommends for production.
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import preset from "./graphile.config.mjs";

const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 5678);

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.keepAliveTimeout = 65_000;
server.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
await serv.addTo(server);
// Build the schema before listening, so that the first answer is a real one.
await pgl.getSchema();
server.listen(port, host, () => {
  console.log(`postgraphile listening on http://${host}:${port}/graphql`);
});

const stop = async () => {
  server.close();
  await pgl.release();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
