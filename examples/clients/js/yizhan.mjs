// A few lines shared by the JavaScript examples: log in, and a graphql-request client
// carrying the token. Everything else is plain graphql-request / graphql-ws.
import { GraphQLClient, gql } from 'graphql-request';

export const LOGIN = gql`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      token
      viewer { displayName }
      errors { field code message }
    }
  }
`;

/** A refusal from the API: its stable `code` and the message to show. */
export class YizhanError extends Error {
  constructor(code, message) {
    super(`${message} [${code}]`);
    this.code = code;
  }
}

/** Progress for people, on stderr (stdout carries the JSON result). */
export function say(message) {
  process.stderr.write(`${message}\n`);
}

/** A graphql-request client for `url` (http://HOST:PORT/graphql), logged in with `token`. */
export function client(url, token) {
  const headers = { 'Accept-Language': 'en' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return new GraphQLClient(url, { headers });
}

/** Run one operation; a mutation payload's `errors` become a YizhanError. */
export async function call(graphql, document, variables = {}) {
  const data = await graphql.request(document, variables);
  for (const payload of Object.values(data)) {
    if (payload && Array.isArray(payload.errors) && payload.errors.length) {
      throw new YizhanError(payload.errors[0].code, payload.errors[0].message);
    }
  }
  return data;
}

/** A bearer token for `username`. */
export async function logIn(url, username, password) {
  const { login } = await call(client(url), LOGIN,
    { input: { identifier: username, password } });
  say(`Logged in as ${login.viewer.displayName}.`);
  return login.token;
}

/** `--name value` options with defaults (no dependency for so little). */
export function options(defaults) {
  const found = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown option ${argv[i]}`);
    found[key] = argv[i + 1];
  }
  return found;
}

/** Report an error the way the CLI does and exit non-zero. */
export function fail(error) {
  const code = error.response?.errors?.[0]?.extensions?.code;
  const message = error.response?.errors?.[0]?.message ?? error.message;
  process.stderr.write(`error: ${message}${code ? ` [${code}]` : ''}\n`);
  process.exit(1);
}
