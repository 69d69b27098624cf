// The core flow of a time bank through Yizhan's GraphQL API, with graphql-request.
//
// A resident posts a need, a neighbour accepts it and marks it done, the resident confirms —
// then both see where they stand: their credit balances where the community has the credits
// plugin on, otherwise the hours they gave and received.
//
//   npm ci                                   # in examples/clients
//   yizhan init --demo && yizhan serve        # another terminal
//   node js/core-flow.mjs                     # the demo's 小刘 asks, 陈师傅 helps
//
// Progress goes to stderr; a JSON summary to stdout.
import { gql } from 'graphql-request';
import { call, client, fail, logIn, options, say } from './yizhan.mjs';

const COMMUNITY = gql`
  query Community($slug: String!) {
    community(slug: $slug) { name enabledPlugins }
  }
`;

const POST_NEED = gql`
  mutation PostNeed($input: PostNeedInput!) {
    postNeed(input: $input) {
      need { id title status credits estimatedMinutes }
      errors { field code message }
    }
  }
`;

const ACCEPT = gql`
  mutation Accept($input: NeedActionInput!) {
    acceptNeed(input: $input) {
      need { status helper { displayName } }
      errors { field code message }
    }
  }
`;

const MARK_DONE = gql`
  mutation MarkDone($input: NeedActionInput!) {
    markNeedDone(input: $input) { need { status } errors { field code message } }
  }
`;

const CONFIRM = gql`
  mutation Confirm($input: NeedActionInput!) {
    confirmNeed(input: $input) { need { status closedAt } errors { field code message } }
  }
`;

const CREDITS = gql`
  query MyCredits($slug: String!) {
    myCredits(community: $slug) { balance available }
  }
`;

const HOURS = gql`
  query MyHours {
    viewer {
      memberships { community { slug } hours { minutesGiven minutesReceived needsHelped } }
    }
  }
`;

async function standing(url, token, slug, creditsOn) {
  if (creditsOn) return (await call(client(url, token), CREDITS, { slug })).myCredits;
  const { viewer } = await call(client(url, token), HOURS);
  return viewer.memberships.find((m) => m.community.slug === slug).hours;
}

async function main() {
  const args = options({
    url: 'http://127.0.0.1:8000/graphql', community: 'shuixie', requester: 'liu',
    helper: 'chen', password: 'yizhan-demo', helperPassword: '',
    title: 'Carry a parcel upstairs', credits: '0.20',
  });
  const requester = await logIn(args.url, args.requester, args.password);
  const helper = await logIn(args.url, args.helper, args.helperPassword || args.password);
  const asRequester = client(args.url, requester);
  const asHelper = client(args.url, helper);

  const { community } = await call(asRequester, COMMUNITY, { slug: args.community });
  const creditsOn = community.enabledPlugins.includes('credits');
  const start = new Date(Date.now() + 30 * 60 * 1000);
  const { postNeed: { need } } = await call(asRequester, POST_NEED, {
    input: {
      community: args.community, title: args.title, category: 'errand',
      windowStart: start.toISOString(),
      windowEnd: new Date(start.getTime() + 2 * 3600 * 1000).toISOString(),
      estimatedMinutes: 10, credits: args.credits,
    },
  });
  say(`Posted “${need.title}” in ${community.name} (${need.credits} credits).`);

  const { acceptNeed } = await call(asHelper, ACCEPT, { input: { needId: need.id } });
  say(`${acceptNeed.need.helper.displayName} accepted it.`);
  await call(asHelper, MARK_DONE, { input: { needId: need.id } });
  say('The helper marked it done.');
  const { confirmNeed } = await call(asRequester, CONFIRM, { input: { needId: need.id } });
  say(`Confirmed: ${confirmNeed.need.status}.`);

  const summary = {
    need: need.id, title: need.title, status: confirmNeed.need.status, credits: need.credits,
    mode: creditsOn ? 'credits' : 'hours',
    requester: await standing(args.url, requester, args.community, creditsOn),
    helper: await standing(args.url, helper, args.community, creditsOn),
  };
  if (creditsOn) {
    say(`Balances: requester ${summary.requester.balance}, helper ${summary.helper.balance}.`);
  } else {
    say(`Hours: the helper gave ${summary.helper.minutesGiven} minutes, the requester `
      + `received ${summary.requester.minutesReceived}.`);
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch(fail);
