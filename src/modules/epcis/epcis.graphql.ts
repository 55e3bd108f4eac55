import { GraphQLError } from 'graphql';
import { builder } from '../../platform/graphql/builder.js';
import type { Context } from '../../platform/graphql/context.js';
import { commonErrors } from '../../platform/graphql/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import type { Row } from '../../platform/db-types.js';
import { BrandRef, ProductRef } from '../refs.js';
import { ShipmentRef } from '../shipments/shipments.graphql.js';
import { baseUri } from './identifiers.js';
import type { EpcisDocument } from './document.js';
import * as epcis from './epcis.service.js';

/** EPCIS 2.0: a brand's identifier settings, and a shipment's events document. */

const JsonLdScalar = builder.scalarType('JsonLd', {
  description: 'A JSON-LD document, returned as a JSON object exactly as it is downloaded (output only).',
  serialize: (v) => v,
  parseValue: () => {
    throw new GraphQLError('JsonLd is an output type');
  },
});

const IdentifierSyntaxEnum = builder.enumType('EpcisIdentifierSyntax', {
  description: 'How lots are identified when the brand has a GS1 company prefix and the product a GTIN.',
  values: {
    URN: { description: 'EPC URN: urn:epc:class:lgtin:<companyPrefix>.<itemReference>.<lot>.' },
    DIGITAL_LINK: { description: 'GS1 Digital Link: https://id.gs1.org/01/<GTIN>/10/<lot>.' },
  } as const,
});

const ProductGtinRef = builder.objectRef<{ productId: number; gtin: string }>('EpcisProductGtin').implement({
  description: 'A product\'s GTIN, used for its lots\' LGTINs.',
  fields: (t) => ({
    product: t.field({ type: ProductRef, description: 'The product.', resolve: (g) => String(g.productId) }),
    gtin: t.exposeString('gtin', { description: 'GTIN-14 (with its check digit).' }),
  }),
});

const EpcisIdentifiersRef = builder.objectRef<epcis.EpcisSettings>('EpcisIdentifiers').implement({
  description: 'How a brand names things in EPCIS documents.',
  fields: (t) => ({
    identifierDomain: t.exposeString('identifierDomain', {
      nullable: true,
      description: 'The brand\'s own domain for URIs (e.g. javeast.id); null uses the platform\'s namespace for the brand.',
    }),
    baseUri: t.string({ description: 'Where the brand\'s URIs (lots without a GTIN, plots, parties, …) live.', resolve: (s) => `${baseUri({ brandId: s.brandId, domain: s.identifierDomain })}/epcis` }),
    gs1CompanyPrefix: t.exposeString('gs1CompanyPrefix', { nullable: true, description: 'The brand\'s GS1 company prefix (6–12 digits), if it has one.' }),
    identifierSyntax: t.field({ type: IdentifierSyntaxEnum, description: 'LGTIN URN or GS1 Digital Link (with a company prefix).', resolve: (s) => s.identifierSyntax }),
    productGtins: t.field({ type: [ProductGtinRef], description: 'GTINs of the brand\'s products.', resolve: (s) => s.productGtins }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', nullable: true, description: 'When they were last set; null while the defaults apply.' }),
  }),
});

builder.objectFields(BrandRef, (t) => ({
  epcisIdentifiers: t.loadable({
    type: EpcisIdentifiersRef,
    description: 'How the brand names lots, plots, parties and places in EPCIS documents.',
    load: (brandIds: number[], ctx: Context) =>
      ctx.db.selectFrom('brands').select(['id', 'name']).where('id', 'in', brandIds).execute()
        .then((rows) => epcis.settingsOfBrands(ctx.db, brandIds.map((id) => rows.find((r) => r.id === id) ?? { id, name: '' }))),
    resolve: (b: Row<'brands'>) => b.id,
  }),
}));

builder.objectFields(ShipmentRef, (t) => ({
  epcisDocument: t.field({
    type: JsonLdScalar,
    description: 'The shipment\'s chain as an EPCIS 2.0 JSON-LD document (also GET /exports/shipments/:id/epcis.jsonld).',
    resolve: (s, _args, ctx) => epcis.shipmentEpcis(ctx.db, ctx.principal, s.id),
  }),
}));

const EpcisExportRef = builder.objectRef<{ shipmentId: number; document: EpcisDocument }>('EpcisExport').implement({
  description: 'A shipment\'s EPCIS 2.0 document with a summary of what it holds.',
  fields: (t) => ({
    shipment: t.field({ type: ShipmentRef, description: 'The shipment.', resolve: (e) => String(e.shipmentId) }),
    eventCount: t.int({ description: 'Number of events in the document.', resolve: (e) => e.document.epcisBody.eventList.length }),
    document: t.field({ type: JsonLdScalar, description: 'The EPCIS 2.0 JSON-LD document, as downloaded.', resolve: (e) => e.document }),
  }),
});

builder.queryFields((t) => ({
  epcisDocument: t.field({
    type: EpcisExportRef,
    description:
      'The EPCIS 2.0 JSON-LD document of a shipment\'s chain: commissioning and inspection of each lot, its binding to the order, loading into containers, shipping (same access as the shipment).',
    authScopes: { authenticated: true },
    errors: { types: commonErrors },
    args: { shipmentId: t.arg.id({ required: true, description: 'Global ID of the shipment.' }) },
    resolve: async (_root, args, ctx) => {
      const shipmentId = decodeId(args.shipmentId, 'Shipment', 'shipmentId');
      return { shipmentId, document: await epcis.shipmentEpcis(ctx.db, ctx.principal, shipmentId, 'shipmentId') };
    },
  }),
}));

const ProductGtinInput = builder.inputType('EpcisProductGtinInput', {
  description: 'A product and its GTIN.',
  fields: (t) => ({
    productId: t.id({ description: 'A product of the brand.' }),
    gtin: t.string({ description: 'GTIN-8, -12, -13 or -14 with a valid check digit, carrying the brand\'s company prefix.' }),
  }),
});

const SetEpcisIdentifiersInput = builder.inputType('SetEpcisIdentifiersInput', {
  description: 'A brand\'s EPCIS identifiers; the whole setting is replaced.',
  fields: (t) => ({
    brandId: t.id({ description: 'The brand.' }),
    identifierDomain: t.string({ required: false, description: 'The brand\'s own host name, e.g. javeast.id (lower case, no scheme or path); omit for the platform\'s namespace.' }),
    gs1CompanyPrefix: t.string({ required: false, description: 'GS1 company prefix, 6–12 digits; omit if the brand has none.' }),
    identifierSyntax: t.field({ type: IdentifierSyntaxEnum, required: false, description: 'URN (default) or DIGITAL_LINK (needs a company prefix).' }),
    productGtins: t.field({ type: [ProductGtinInput], required: false, description: 'GTINs of the brand\'s products (needs a company prefix); products not listed have none.' }),
  }),
});

builder.mutationFields((t) => ({
  setEpcisIdentifiers: t.field({
    type: EpcisIdentifiersRef,
    description: 'Set how a brand names things in EPCIS documents (brand manager of the brand, admins).',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: SetEpcisIdentifiersInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      epcis.setEpcisIdentifiers(ctx.db, ctx.principal, {
        brandId: decodeId(input.brandId, 'Brand', 'input.brandId'),
        identifierDomain: input.identifierDomain ?? null,
        gs1CompanyPrefix: input.gs1CompanyPrefix ?? null,
        identifierSyntax: input.identifierSyntax ?? 'URN',
        productGtins: (input.productGtins ?? []).map((g, i) => ({ productId: decodeId(g.productId, 'Product', `input.productGtins.${i}.productId`), gtin: g.gtin })),
      }),
  }),
}));
