import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { route, SimulatorServer, text } from '../../src/vendors/simulator-kit.js';

/** The kit's shared route opening: a malformed request gets the vendor's own error reply. */

let sim: SimulatorServer;

beforeAll(async () => {
  sim = new SimulatorServer({
    name: 'kit',
    // The request tells the routes apart where a vendor's error shape differs by call.
    badRequest: (message, req) => text(req.path === '/a' ? 422 : 200, `${req.path}: ${message}`),
    routes: ['/a', '/b'].map((path) =>
      route({
        method: 'POST',
        path,
        format: 'xml',
        input: z.object({ ping: z.string() }),
        handle: (input) => text(200, `pong ${input.ping}`),
      }),
    ),
  });
  await sim.listen();
});
afterAll(async () => {
  await sim.close();
});

const post = (path: string, body: string) =>
  fetch(`${sim.url}${path}`, { method: 'POST', body }).then(async (r) => [
    r.status,
    await r.text(),
  ]);

describe('SimulatorServer badRequest', () => {
  it('is given the request, and keeps its own status or gets 400', async () => {
    expect(await post('/a', '<ping>1</ping>')).toEqual([200, 'pong 1']);
    expect(await post('/a', '<pong>1</pong>')).toEqual([
      422,
      '/a: ping: Invalid input: expected string, received undefined',
    ]);
    expect(await post('/b', 'not xml')).toEqual([200, '/b: the body is not valid xml']);
  });
});
