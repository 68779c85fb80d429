import { createServer } from 'node:http';
import { execute, parse, validate } from 'graphql';
import { schema } from '../../dist/schema/index.js';
import { armContext, listening, port } from './context.mjs';

/**
 * Arm (a): `node:http` and graphql-js `execute` over the gateway's schema, the parsed and
 * validated document cached by query text. The floor: no plugins, no masking, no Fetch API.
 */
const documents = new Map();
const context = armContext();

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const { query, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
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
server.listen(port(), '127.0.0.1', () => listening(server));
