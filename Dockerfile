# BASE_IMAGE: any Debian-based image with Node 24, npm and a `node` user (scripts/docker-check.sh makes one
# locally where no registry is reachable).
ARG BASE_IMAGE=node:24-slim

# Build: compile TypeScript with all dependencies, then keep production dependencies only.
FROM ${BASE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds, and the sources are not copied yet.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
# Compiles, bundles (dist/server.mjs, scripts/bundle.mjs) and prepares the demo database template
# (.cache/templates) for a fast first start.
RUN npm run build && npm prune --omit=dev --ignore-scripts

# Run: the bundled server, production dependencies (the packages it loads at run time: PGlite,
# graphile-worker, pino, the GraphiQL files), non-root.
FROM ${BASE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/.cache ./.cache
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 4000}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Migrations run on start; with DATABASE_URL set, JWT_SECRET is required. The young generation is
# capped as `npm start` caps it (README, "Memory").
CMD ["node", "--max-semi-space-size=4", "dist/server.mjs"]
