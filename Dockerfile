# syntax=docker/dockerfile:1
# kube-ovn-controller (TypeScript). Build: docker build -t kube-ovn-controller:0.1.0 .
#
# Two stages: `build` type-checks and bundles with the dev dependencies (`npm run build`: tsc,
# then esbuild, see build.mjs), and the runtime image gets only dist/ (the entry, the controller
# bundle with every production dependency it runs, the health worker bundle) and package.json
# (main.ts reads its version from it). No node_modules ships: the bundles import only Node
# built-ins, which test/deploy/production-deps.test.ts checks by running them alone.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Full install: the `node` devDependency's install script fetches the pinned Node 24 binary, so
# `npm run build` compiles on exactly the Node the tests run on.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json build.mjs ./
COPY src ./src
RUN npm run build

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
# The V8 flags the controller is sized for (8 MiB semi-spaces) and MALLOC_ARENA_MAX=1 are not set
# here: dist/main.js gives them to every way of running it (src/launch.ts); an operator's win.
WORKDIR /app
# Owned by root and read-only for the process: nothing here is written at run time, which is
# what lets the Deployment set readOnlyRootFilesystem.
COPY --from=build /src/dist ./dist
COPY package.json ./
# Numeric, so kubelet can verify runAsNonRoot without an /etc/passwd lookup (65532 = distroless nonroot).
USER 65532:65532
# 10660 health (/livez, /readyz, /healthz); 9464 Prometheus /metrics (exporter `prometheus`).
EXPOSE 10660 9464
# Exec form: node is PID 1 and receives SIGTERM itself (the controller handles it: ordered,
# bounded shutdown; a second signal exits at once). The entry re-executes itself in place with
# its V8 flags (execve: same pid).
ENTRYPOINT ["node", "dist/main.js"]
