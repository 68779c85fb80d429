import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { schema } from '../../src/schema/index.js';
import { armContext, port } from './context.js';

/** Arm (b): a plain graphql-yoga server over the gateway's schema, with no plugins of ours. */
const context = armContext();
const yoga = createYoga({
  schema,
  context: () => context as never,
  logging: false,
  graphiql: false,
  landingPage: false,
});
const server = createServer(yoga);
server.listen(port(), '127.0.0.1', () => {
  process.stdout.write(
    `LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql\n`,
  );
});
