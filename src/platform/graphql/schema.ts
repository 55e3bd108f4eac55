import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './scalars.js';
import './errors.js';
import '../../modules/accounts/accounts.graphql.js';
import '../../modules/brands/brands.graphql.js';
import '../../modules/producers/producers.graphql.js';
import '../../modules/memberships/memberships.graphql.js';
import '../../modules/plots/plots.graphql.js';
import '../../modules/lots/lots.graphql.js';
import '../../modules/grading/grading.graphql.js';
import '../../modules/commitments/commitments.graphql.js';
import '../../modules/provenance/provenance.graphql.js';
import '../../modules/availability/availability.graphql.js';
import '../../modules/orders/orders.graphql.js';
import '../../modules/allocation/allocation.graphql.js';
import '../../modules/fulfilment/fulfilment.graphql.js';
import '../../modules/provenance/trace.graphql.js';

/** The schema only imports: each module defines its types and fields next to each other. */
let schema: GraphQLSchema | null = null;
export function buildSchema(): GraphQLSchema {
  schema ??= lexicographicSortSchema(builder.toSchema());
  return schema;
}
