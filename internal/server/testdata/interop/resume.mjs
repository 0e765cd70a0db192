// A live board on the graphql-ws client: subscribe from a cursor, take two
// items, drop the socket, wait for the Go test to change more while we are
// away, then resume from the last cursor seen and take two more. Each item
// is printed as a JSON line; the Go side checks for gaps and duplicates.
//
// usage: node resume.mjs <ws-url> <token> <community-id> <cursor> [legacy]
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { SubscriptionClient } from 'subscriptions-transport-ws';

const [url, token, community, firstCursor, mode] = process.argv.slice(2);
const query = `subscription($c: ID!, $after: Cursor) {
  changes(community: $c, after: $after) { cursor op topic node { id } }
}`;
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const stdin = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => stdin.once('line', resolve));

// take subscribes after `after` and resolves with the cursor of the n-th item.
function take(after, n) {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let last = after;
    const variables = { c: community, after };
    const onItem = (result) => {
      if (result.errors) {
        reject(new Error(JSON.stringify(result.errors)));
        return;
      }
      const item = result.data.changes;
      last = item.cursor;
      say({ type: 'item', cursor: item.cursor, op: item.op, topic: item.topic, node: item.node.id });
      if (++seen === n) {
        stop();
        resolve(last);
      }
    };
    let stop;
    if (mode === 'legacy') {
      const client = new SubscriptionClient(url, { connectionParams: { Authorization: `Bearer ${token}` } }, WebSocket);
      const obs = client.request({ query, variables }).subscribe({ next: onItem, error: reject });
      stop = () => { obs.unsubscribe(); client.close(true); };
    } else {
      const client = createClient({
        url,
        webSocketImpl: WebSocket,
        connectionParams: { Authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
      const dispose = client.subscribe({ query, variables }, { next: onItem, error: reject, complete: () => {} });
      stop = () => { dispose(); client.terminate(); };
    }
  });
}

try {
  const last = await take(firstCursor, 2);
  say({ type: 'disconnected', cursor: last });
  await nextLine(); // the Go test commits more changes meanwhile
  await take(last, 2);
  say({ type: 'done' });
  process.exit(0);
} catch (err) {
  say({ type: 'error', message: String(err && err.message || err) });
  process.exit(1);
}
