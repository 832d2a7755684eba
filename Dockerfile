# syntax=docker/dockerfile:1
# kube-ovn-controller (TypeScript). Build: docker build -t kube-ovn-controller:0.1.0 .
#
# Three stages: `build` compiles with the dev dependencies, `prod-deps` installs the production
# dependencies alone, and the runtime image gets only node_modules from the latter, dist/ from
# the former and package.json (main.ts reads its version from it). test/deploy/
# production-deps.test.ts replays the prod-deps stage and runs the result, so a runtime import
# of a dev dependency fails CI rather than the image.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Full install: the `node` devDependency's install script fetches the pinned Node 24 binary, so
# `npm run build` compiles on exactly the Node the tests run on.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev leaves out the `node` package (dev-only in the lockfile), so the runtime uses the
# base image's Node 24; no production dependency needs an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf /root/.npm

FROM ${NODE_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="kube-ovn-controller" \
      org.opencontainers.image.description="Kube-OVN's controller core (Subnet/IP CRDs, pod IPAM) in TypeScript; health on 10660 isolated from OpenTelemetry metrics" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/kubeovn/kube-ovn" \
      org.opencontainers.image.vendor="Kube-OVN" \
      org.opencontainers.image.base.name="docker.io/library/node:24-bookworm-slim"
ENV NODE_ENV=production
# V8 sizes the young generation from the machine's memory and keeps up to 128 MiB of it
# committed on a large node; 16 MiB semi-spaces cut the controller's RSS at 11k pods from
# ~360 MiB to ~255 MiB (bench/RESULTS.md) for somewhat more frequent scavenges.
ENV NODE_OPTIONS=--max-semi-space-size=16
WORKDIR /app
# Owned by root and read-only for the process: nothing here is written at run time, which is
# what lets the Deployment set readOnlyRootFilesystem.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# Numeric, so kubelet can verify runAsNonRoot without an /etc/passwd lookup (65532 = distroless nonroot).
USER 65532:65532
# 10660 health (/livez, /readyz, /healthz); 9464 Prometheus /metrics (exporter `prometheus`).
EXPOSE 10660 9464
# Exec form: node is PID 1 and receives SIGTERM itself (the controller handles it: ordered,
# bounded shutdown; a second signal exits at once).
ENTRYPOINT ["node", "dist/main.js"]
