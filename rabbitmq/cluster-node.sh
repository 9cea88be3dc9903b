#!/bin/sh
# Entry point of rabbitmq-2 and rabbitmq-3 (docker-compose.yml, cluster profile). Nodes of one
# cluster must share an Erlang cookie: these take the one rabbitmq generated in its own volume
# (mounted read-only at /seed), so no cookie is written in the repository. Then the image's own
# entry point starts the node, which joins rabbit@rabbitmq (cluster.conf).
set -eu
install -m 400 -o rabbitmq -g rabbitmq /seed/.erlang.cookie /var/lib/rabbitmq/.erlang.cookie
exec docker-entrypoint.sh rabbitmq-server
