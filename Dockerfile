# syntax=docker/dockerfile:1
# One image recipe for the apps. The build stage compiles all of them (one cached layer
# shared by every service); the runtime stage holds production dependencies and the bundles,
# and starts the app named by APP (order, barista, pager or the optional gateway).
#
#   docker build --build-arg APP=barista -t coffee-shop-barista .
#   docker run --rm -e TRANSPORT=rmq -e AMQP_URL=amqp://guest:guest@rabbitmq:5672 coffee-shop-barista

ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3's install script fetches a prebuilt binary, or else compiles one with node-gyp:
# the tools for the latter, in the build stage only.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=prod-deps /app/node_modules ./node_modules
# The production install skipped install scripts: take better-sqlite3's native module from the
# build stage (same base image, so the same Node ABI).
COPY --from=build /app/node_modules/better-sqlite3/build ./node_modules/better-sqlite3/build
COPY package.json ./
COPY --from=build /app/dist/apps ./dist/apps
# Each app's SQLite file lives in data/ (a volume in docker-compose.yml), writable by node.
RUN mkdir -p /app/data && chown node:node /app/data
ARG APP=order
# HOST: inside a container the app must listen on every interface, not on loopback only.
ENV APP=${APP} \
    HOST=0.0.0.0
USER node
# A shell form would keep sh as PID 1 and swallow SIGTERM; `exec` hands PID 1 to node, so Nest's
# shutdown hooks run on `docker stop`. (Exec-form CMD does not expand ${APP} by itself.)
CMD ["sh", "-c", "exec node \"dist/apps/${APP}/main.js\""]
