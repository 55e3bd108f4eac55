import type { GraphQLSchema } from 'graphql';
import { builder } from './platform/graphql/builder.js';
import './platform/graphql/scalars.js';
import './platform/graphql/errors.js';
import './modules/accounts/accounts.graphql.js';
import './modules/brands/brands.graphql.js';
import './modules/producers/producers.graphql.js';
import './modules/memberships/memberships.graphql.js';
import './modules/plots/plots.graphql.js';
import './modules/lots/lots.graphql.js';
import './modules/grading/grading.graphql.js';
import './modules/commitments/commitments.graphql.js';
import './modules/provenance/provenance.graphql.js';
import './modules/availability/availability.graphql.js';
import './modules/orders/orders.graphql.js';
import './modules/orders/acceptance.graphql.js';
import './modules/orders/lines.graphql.js';
import './modules/allocation/allocation.graphql.js';
import './modules/fulfilment/fulfilment.graphql.js';
import './modules/trace/trace.graphql.js';
import './modules/shu/shu.graphql.js';
import './modules/settlement/settlement.graphql.js';
import './modules/consent/consent.graphql.js';
import './modules/deforestation/deforestation.graphql.js';
import './modules/shipments/shipments.graphql.js';
import './modules/epcis/epcis.graphql.js';
import './modules/partners/partners.graphql.js';
import './modules/webhooks/webhooks.graphql.js';
import './modules/webhooks/subscriptions.graphql.js';

/**
 * The GraphQL schema: this file only imports. Each module defines its types and fields next to
 * each other in its `<area>.graphql.ts`; platform/graphql holds the builder, scalars and the shared
 * errors. It lives in src/ (not platform/) because it imports every module: platform imports none.
 */
let schema: GraphQLSchema | null = null;
export function buildSchema(): GraphQLSchema {
  schema ??= describeConventionalArgs(builder.toSchema()); // Pothos sorts it (sortSchema defaults to true)
  return schema;
}

/**
 * Every mutation (and input-taking query) has one `input` argument whose type carries the
 * documentation; give those arguments, and `node(id:)`, one shared description instead of
 * repeating it in every module.
 */
function describeConventionalArgs(built: GraphQLSchema): GraphQLSchema {
  for (const root of [built.getQueryType(), built.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      for (const arg of field.args) {
        if (arg.description) continue;
        if (arg.name === 'input') arg.description = `What to ${root === built.getMutationType() ? 'change' : 'ask'}; see the input type.`;
        if (arg.name === 'id') arg.description = 'Global ID of the object.';
      }
    }
  }
  return built;
}
