import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';

/**
 * A second federation subgraph for the supergraph test: a small CRM that keeps notes on the
 * gateway's orders and a segment per subscriber. It extends `Order` and `Subscriber` with fields
 * of its own (the gateway resolves the rest through `_entities`) and lists follow-ups that point
 * at orders by their key. It records every request body it gets: what a supergraph sends here.
 */

export const CRM_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Order @key(fields: "id") {
    id: ID!
    "The CRM's note on this order."
    crmNote: String
  }

  type Subscriber @key(fields: "id") {
    id: ID!
    "The CRM's segment for this subscriber."
    crmSegment: String!
  }

  "A call a clerk must make about an order."
  type FollowUp {
    note: String!
    order: Order
  }

  type Query {
    "The CRM's follow-ups, each naming an order by its key."
    followUps: [FollowUp!]!
  }
`;

export interface CrmSubgraph {
  url: string;
  /** Follow-ups: a note and the global id of the order it is about. */
  followUps: Array<{ note: string; orderId: string }>;
  /** Notes by order global id. */
  notes: Map<string, string>;
  /** Every request body received, as sent. */
  bodies: string[];
  close(): Promise<void>;
}

export async function startCrmSubgraph(): Promise<CrmSubgraph> {
  const followUps: CrmSubgraph['followUps'] = [];
  const notes = new Map<string, string>();
  const bodies: string[] = [];
  const schema = buildSubgraphSchema({
    typeDefs: parse(CRM_SDL),
    resolvers: {
      Query: {
        followUps: () =>
          followUps.map((f) => ({ note: f.note, order: { __typename: 'Order', id: f.orderId } })),
      },
      Order: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        crmNote: (order: { id: string }) => notes.get(order.id) ?? null,
      },
      Subscriber: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        crmSegment: () => 'retail',
      },
    },
  });
  const yoga = createYoga({ schema, logging: false, maskedErrors: false });
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    bodies.push(body);
    const answer = await yoga.fetch(`http://crm.test${req.url}`, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: req.method === 'GET' ? undefined : body,
    });
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    followUps,
    notes,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
