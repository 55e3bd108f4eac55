import { Decimal } from 'decimal.js';
import { builder } from '../../platform/graphql/builder.js';
import { commonErrors } from '../../platform/graphql/errors.js';
import { BusyError, ConflictError } from '../../platform/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { childPage } from '../../platform/graphql/loaders.js';
import { PlotRef, ProducerRef } from '../refs.js';
import * as plots from './plots.service.js';

/** numeric text → shortest exact decimal ("1.5000" → "1.5"). */
export const plainDecimal = (value: string) => new Decimal(value).toFixed();

PlotRef.implement({
  description: 'A production place of a producer, geolocated for EUDR (a Point up to 4 ha, else a Polygon).',
  authScopes: (plot, ctx) => plots.canSeePlot(ctx, plot),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name of the plot, e.g. "Kebun Sukorejo atas".' }),
    areaHa: t.field({ type: 'Decimal', description: 'Declared area in hectares.', resolve: (p) => plainDecimal(p.area_ha) }),
    computedAreaHa: t.field({
      type: 'Decimal',
      nullable: true,
      description: 'Geodesic area of the polygon in hectares; null when the geolocation is a Point.',
      resolve: (p) => (p.computed_area_ha === null ? null : plainDecimal(p.computed_area_ha)),
    }),
    altitudeM: t.exposeInt('altitude_m', { nullable: true, description: 'Altitude in metres above sea level.' }),
    geolocation: t.field({
      type: 'GeoJSON',
      description: 'The GeoJSON Point, Polygon or MultiPolygon (RFC 7946, [longitude, latitude]) as validated and stored.',
      resolve: (p) => p.geometry,
    }),
    eudrReady: t.exposeBoolean('eudr_ready', { description: 'Whether the geolocation meets the EUDR rules.' }),
    producer: t.field({ type: ProducerRef, description: 'The producer who farms the plot.', resolve: (p) => String(p.producer_id) }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When the plot was registered.' }),
  }),
});

const RegisterPlotInput = builder.inputType('RegisterPlotInput', {
  description: 'A new plot of a producer.',
  fields: (t) => ({
    producerId: t.id({ description: 'The producer who farms it (yourself, or a member of your cooperative).' }),
    name: t.string({ description: 'Name of the plot (1–200 characters).' }),
    areaHa: t.field({ type: 'Decimal', description: 'Declared area in hectares (> 0, at most 4 decimals).' }),
    altitudeM: t.int({ description: 'Altitude in metres (0–5000).' }),
    geolocation: t.field({
      type: 'GeoJSON',
      description: 'A GeoJSON Point (plots up to 4 ha) or Polygon, [longitude, latitude], at least 6 decimals.',
    }),
  }),
});

const UpdatePlotInput = builder.inputType('UpdatePlotInput', {
  description: 'Changes to a plot; omitted fields stay. Area and geolocation are fixed once a lot comes from the plot.',
  fields: (t) => ({
    plotId: t.id({ description: 'The plot.' }),
    name: t.string({ required: false, description: 'New name.' }),
    areaHa: t.field({ type: 'Decimal', required: false, description: 'New declared area in hectares.' }),
    altitudeM: t.int({ required: false, description: 'New altitude in metres.' }),
    geolocation: t.field({ type: 'GeoJSON', required: false, description: 'New GeoJSON Point, Polygon or MultiPolygon.' }),
  }),
});

builder.queryFields((t) => ({
  plots: t.connection({
    type: PlotRef,
    description: 'Plots you may see (your own, your cooperative members\', your brand members\'), optionally of one producer.',
    authScopes: { authenticated: true },
    complexity: connectionComplexity,
    args: { producerId: t.arg.id({ required: false, description: 'Only plots of this producer.' }) },
    resolve: (_root, args, ctx) => {
      const producerId = args.producerId ? decodeId(args.producerId, 'Producer', 'producerId') : null;
      return resolveKeysetConnection(args, (page) => plots.listPlots(ctx.db, ctx.principal, { producerId }, page));
    },
  }),
}));

builder.objectFields(ProducerRef, (t) => ({
  plots: t.connection({
    type: PlotRef,
    description: 'The producer\'s plots (those you may see).',
    complexity: connectionComplexity,
    resolve: (producer, args, ctx) =>
      resolveKeysetConnection(args, (page) =>
        childPage(ctx, `Producer.plots:${JSON.stringify(page)}`, (ids) => plots.plotsPerProducer(ctx.db, ctx.principal, ids, page)).load(producer.id),
      ),
  }),
}));

builder.mutationFields((t) => ({
  registerPlot: t.field({
    type: PlotRef,
    description: 'Register a plot with its EUDR geolocation (the producer, their cooperative manager or an admin).',
    authScopes: { admin: true, producer: 'any', coopManager: 'any' },
    errors: { types: [BusyError, ...commonErrors] },
    args: { input: t.arg({ type: RegisterPlotInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      plots.registerPlot(ctx.db, ctx.principal, {
        ...input,
        producerId: decodeId(input.producerId, 'Producer', 'input.producerId'),
        geolocation: input.geolocation,
      }),
  }),
  updatePlot: t.field({
    type: PlotRef,
    description: 'Change a plot\'s name, altitude, or (while no lot comes from it) its area and geolocation.',
    authScopes: { admin: true, producer: 'any', coopManager: 'any' },
    errors: { types: [ConflictError, BusyError, ...commonErrors] },
    args: { input: t.arg({ type: UpdatePlotInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      plots.updatePlot(ctx.db, ctx.principal, {
        plotId: decodeId(input.plotId, 'Plot', 'input.plotId'),
        ...(input.name != null ? { name: input.name } : {}),
        ...(input.areaHa != null ? { areaHa: input.areaHa } : {}),
        ...(input.altitudeM != null ? { altitudeM: input.altitudeM } : {}),
        ...(input.geolocation != null ? { geolocation: input.geolocation } : {}),
      }),
  }),
}));
