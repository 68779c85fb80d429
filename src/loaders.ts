import DataLoader from 'dataloader';
import type { Loaders } from './context.js';
import type { OrderEvent } from './domain/order.js';
import type { OrderStore } from './store/orders.js';

/** New loaders for each request. Results come back in key order, as DataLoader requires. */
export function createLoaders(orders: OrderStore): Loaders {
  return {
    order: new DataLoader(async (ids) => {
      const byId = new Map((await orders.findByIds(ids)).map((o) => [o.id, o]));
      return ids.map((id) => byId.get(id) ?? new Error(`Order ${id} not found`));
    }),
    orderEvents: new DataLoader(async (ids) => {
      const byOrder = new Map<string, OrderEvent[]>();
      for (const event of await orders.eventsFor(ids)) {
        const list = byOrder.get(event.orderId) ?? [];
        list.push(event);
        byOrder.set(event.orderId, list);
      }
      return ids.map((id) => byOrder.get(id) ?? []);
    }),
  };
}
