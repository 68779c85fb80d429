import { createServer } from 'node:http';
import { createYoga } from 'graphql-yoga';
import { schema } from '../../dist/schema/index.js';
import { armContext, listening, port } from './context.mjs';

/**
 * Arm (b): a plain graphql-yoga server over the gateway's schema, with no plugins of ours. With
 * `VOICE_OTP_URL` set, `voiceOtpBalance` calls the simulator straight through undici: the floor
 * of a vendor read through Yoga.
 */
const context = armContext();
const yoga = createYoga({
  schema,
  context: () => context,
  logging: false,
  graphiql: false,
  landingPage: false,
});
const server = createServer(yoga);
server.listen(port(), '127.0.0.1', () => listening(server));
