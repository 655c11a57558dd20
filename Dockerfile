# syntax=docker/dockerfile:1
# The same steps as the README: `npm ci`, `npm run build`, then `node dist/main.js` (what `npm start` runs).

FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
# What `npm ci` needs for its postinstall (Prisma client, Pothos types, typed documents), so the
# dependency layer is cached until one of these changes.
COPY package.json package-lock.json prisma.config.ts codegen.ts schema.graphql ./
COPY prisma ./prisma
COPY scripts/generate.mjs ./scripts/generate.mjs
COPY test/operations ./test/operations
COPY src/cli/operations ./src/cli/operations
COPY web/codegen.ts ./web/codegen.ts
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The dashboard (Vite): built into dist/web, which the server serves at /.
COPY web ./web
RUN npm run build && npm prune --omit=dev

FROM node:24.21.0-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
