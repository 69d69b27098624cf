// Wait for new needs with a GraphQL subscription (graphql-ws, the graphql-transport-ws
// protocol), in Node with the `ws` package.
//
// Logs in over HTTP, then subscribes to `needPosted` for the community and prints every need
// posted from now on as one JSON line — the building's own by default.
//
//   node js/wait-for-need.mjs --user li --count 1
//
// "subscribed" goes to stderr once the subscription is sent; needs go to stdout.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { fail, logIn, options, say } from './yizhan.mjs';

const NEED_POSTED = `
  subscription NeedPosted($slug: String!) {
    needPosted(community: $slug) {
      id title category credits windowStart
      requester { displayName }
      building { name }
    }
  }
`;

async function main() {
  const args = options({
    url: 'http://127.0.0.1:8000/graphql', community: 'shuixie', user: 'li',
    password: 'yizhan-demo', count: '0',
  });
  const token = await logIn(args.url, args.user, args.password);
  const ws = createClient({
    url: args.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
  });
  const wanted = Number(args.count);
  let seen = 0;
  const subscription = ws.iterate({ query: NEED_POSTED, variables: { slug: args.community } });
  say('subscribed');
  for await (const event of subscription) {
    if (event.errors) throw new Error(event.errors[0].message);
    process.stdout.write(`${JSON.stringify(event.data.needPosted)}\n`);
    seen += 1;
    if (wanted && seen >= wanted) break;
  }
  await ws.dispose();
}

main().catch(fail);
