import type { GraphQLSchema } from 'graphql';
import type { AnyVendorModule } from '../vendors/module.js';
import { builder } from './builder.js';
import './scalars.js';
import './telco.js';
import './package.js';
import './order.js';
import './order-totals.js';
import './oa-package.js';
import './errors.js';
import './subscriber.js';
import './sales.js';
import './vas.js';
import './vas-totals.js';
import './voice-call.js';
import './phone-verification.js';
import './entities.js';

/** The gateway's own schema. */
export const schema = builder.toSchema({ sortSchema: true });

const registered = new WeakSet<object>();

/**
 * The schema with the GraphQL types and fields of these vendor modules' features registered
 * (`VendorFeature.register`); the gateway's own `schema` when none has any.
 */
export function schemaFor(modules: readonly AnyVendorModule[]): GraphQLSchema {
  const features = modules.flatMap((m) => (m.feature?.register ? [m.feature] : []));
  if (features.length === 0) return schema;
  for (const feature of features) {
    if (registered.has(feature)) continue;
    registered.add(feature);
    feature.register?.();
  }
  return builder.toSchema({ sortSchema: true });
}
