# syntax=docker/dockerfile:1
# Conveyor: one image for every process, chosen by the command:
#   docker run conveyor:0.1.0 web | worker | serving | migrate
# (node cli/bin/conveyor.mjs <command>, from the repository root /app). Configuration is by
# environment (README's table); docs/operations.md lists each process's health check, and
# deploy/compose.yaml and deploy/kubernetes/ set them. The install and build steps are
# scripts/build-image-steps.sh, the same script CI (.ci/run) runs.

ARG NODE_IMAGE=node:20-bookworm-slim
# npm that honours package.json's allowScripts (the node image's own npm is older).
ARG NPM_VERSION=11.19.1

# --- dependencies: npm ci with the repository's install-script policy --------------------------
FROM ${NODE_IMAGE} AS deps
ARG NPM_VERSION
WORKDIR /app
RUN npm install --global --no-audit --no-fund npm@${NPM_VERSION}
COPY package.json package-lock.json ./
COPY scripts/build-image-steps.sh scripts/
RUN bash scripts/build-image-steps.sh deps

# --- build: next build, then drop devDependencies and the build cache ---------------------------
FROM deps AS build
COPY . .
RUN bash scripts/build-image-steps.sh build
RUN bash scripts/build-image-steps.sh prune

# --- runtime ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    WEB_PORT=3000 \
    SERVING_PORT=8080 \
    SERVING_HOST=0.0.0.0 \
    CONVEYOR_DATA_DIR=/var/lib/conveyor \
    ARTIFACT_CACHE_DIR=/var/cache/conveyor
WORKDIR /app
# The code stays root-owned (read-only to the processes); the user `node` (uid 1000) writes only
# Next's runtime cache and the two data directories.
COPY --from=build /app /app
RUN mkdir -p /app/.next/cache /var/lib/conveyor /var/cache/conveyor \
 && chown node:node /app/.next/cache /var/lib/conveyor /var/cache/conveyor
USER node
EXPOSE 3000 8080
# Per-process probes (docs/operations.md): web GET /api/v1/openapi.json on WEB_PORT (the whole
# stack: GET /api/health), serving GET /v2/health/live and /v2/health/ready on SERVING_PORT;
# worker and migrate have no port.
HEALTHCHECK NONE
ENTRYPOINT ["node", "cli/bin/conveyor.mjs"]
CMD ["web"]
