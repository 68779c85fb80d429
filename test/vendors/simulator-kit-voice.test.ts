import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { json, route, SimulatorServer, text } from '../../src/vendors/simulator-kit.js';

/**
 * The kit's `badRequest` is told which request it refuses, so a vendor whose calls answer in
 * different formats (voice OTP: plain text codes, and JSON for its balance) refuses each in its
 * own. A refusal without a status stays HTTP 400; one with a status keeps it.
 */

const servers: SimulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(badRequest: ConstructorParameters<typeof SimulatorServer>[0]['badRequest']) {
  const sim = new SimulatorServer({
    name: 'kit-test',
    badRequest,
    routes: [
      route({
        method: 'POST',
        path: '/text',
        format: 'json',
        input: z.object({ n: z.number() }),
        handle: (body) => text(200, String(body.n)),
      }),
      route({
        method: 'POST',
        path: '/json',
        format: 'json',
        input: z.object({ n: z.number() }),
        handle: (body) => json(200, { n: body.n }),
      }),
    ],
  });
  servers.push(sim);
  const url = await sim.listen();
  const post = async (path: string, body: string) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', body });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };
  return { sim, post };
}

describe('SimulatorServer badRequest', () => {
  it('receives the refused request, so each route can refuse in its own format', async () => {
    const seen: Array<{ message: string; path: string; body: string }> = [];
    const { post } = await start((message, req) => {
      seen.push({ message, path: req.path, body: req.body });
      return req.path === '/json'
        ? { contentType: 'application/json', body: '{"errorcode":"0"}' }
        : { contentType: 'text/plain', body: '11' };
    });
    expect(await post('/text', '{"n":"x"}')).toEqual({
      status: 400,
      type: 'text/plain',
      body: '11',
    });
    expect(await post('/json', 'not json')).toEqual({
      status: 400,
      type: 'application/json',
      body: '{"errorcode":"0"}',
    });
    expect(seen).toEqual([
      { message: expect.stringMatching(/^n: /), path: '/text', body: '{"n":"x"}' },
      { message: 'the body is not valid json', path: '/json', body: 'not json' },
    ]);
    // A well-formed request still reaches its route.
    expect((await post('/text', '{"n":7}')).body).toBe('7');
  });

  it('keeps a status the refusal sets, and still takes a one-argument callback', async () => {
    const { post } = await start((message) => text(200, `refused: ${message}`));
    expect(await post('/json', '[]')).toMatchObject({
      status: 200,
      body: 'refused: the body is not valid json',
    });
  });
});
