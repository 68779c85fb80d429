import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DocumentNode, execute, parse, validate } from 'graphql';
import { schema } from '../../src/schema/index.js';
import { armContext, port } from './context.js';

/**
 * Arm (a): `node:http` and graphql-js `execute` over the gateway's schema, the parsed and
 * validated document cached by query text. The floor: no plugins, no masking, no Fetch API.
 */
const documents = new Map<string, DocumentNode>();
const context = armContext();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    const { query, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      query: string;
      variables?: Record<string, unknown>;
    };
    let document = documents.get(query);
    if (!document) {
      document = parse(query);
      const errors = validate(schema, document);
      if (errors.length > 0) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors }));
        return;
      }
      documents.set(query, document);
    }
    const result = await execute({
      schema,
      document,
      contextValue: context,
      variableValues: variables ?? null,
    });
    res
      .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
      .end(JSON.stringify(result));
  });
});
server.listen(port(), '127.0.0.1', () => {
  process.stdout.write(
    `LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql\n`,
  );
});
