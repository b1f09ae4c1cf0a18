# syntax=docker/dockerfile:1
#
# feldera-sidecar-injector image.
#
#   docker build -t feldera-sidecar-injector:0.1.0 .
#   docker run --rm -p 8443:8443 -p 9090:9090 -v "$PWD/certs:/certs:ro" feldera-sidecar-injector:0.1.0 \
#     serve --set tls.certFile=/certs/tls.crt --set tls.keyFile=/certs/tls.key
#
# Without Docker (the e2e node): scripts/webhook-image.sh builds it with buildah over a locally made
# NODE_IMAGE. Behind a TLS-inspecting proxy, give npm the proxy's CA as a build secret (never
# stored in a layer): --secret id=npm_ca,src=/etc/ssl/certs/ca-certificates.crt (docker buildx and
# buildah alike); without it the secret is absent and npm uses Node's own CA list.
#
# The runtime image holds only node, the production node_modules, dist/ and package.json (its
# "type": "module" makes Node load dist/ as ES modules). It runs as 65532:65532 and writes nothing
# outside /tmp and mounted volumes, so it runs with readOnlyRootFilesystem: true.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile TypeScript -------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npm_ca \
    NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# tsconfig.build.json also includes bench/ and test/e2e/cluster/ (developer tools); they are not
# copied (see .dockerignore), so only src/ is compiled: dist/src/main.js is all the image runs.
RUN npm run build

# ---- prod-deps: runtime dependencies only ---------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency needs an install script; --ignore-scripts keeps the image build from running any.
RUN --mount=type=secret,id=npm_ca \
    NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime --------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="feldera-sidecar-injector" \
      org.opencontainers.image.description="Kubernetes mutating admission webhook that injects Feldera pipeline sidecars" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="docker.io/library/node:20-bookworm-slim"

# The server never runs npm, npx, corepack or yarn: remove them (less to patch, less to exploit),
# and add the non-root user the Helm chart's securityContext expects (65532, as distroless "nonroot").
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* \
           /usr/local/bin/yarn /usr/local/bin/yarnpkg \
 && groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid 65532 --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin nonroot

WORKDIR /app
ENV NODE_ENV=production
COPY --chown=0:0 package.json ./
COPY --from=prod-deps --chown=0:0 /app/node_modules ./node_modules
COPY --from=build --chown=0:0 /app/dist ./dist

# Files are owned by root and read-only to the process; it runs unprivileged.
USER 65532:65532
# 8443: HTTPS admission (POST /mutate, /healthz, /readyz); 9090: Prometheus metrics (/metrics).
EXPOSE 8443 9090
# No HEALTHCHECK: Kubernetes probes /healthz and /readyz. Node runs as PID 1 and handles SIGTERM
# itself (drain, then exit); it starts no child processes, so no init is needed.
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["serve"]
