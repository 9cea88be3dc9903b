#!/usr/bin/env bash
# A local 3-node RabbitMQ cluster (shop1..shop3@localhost, AMQP 5681-5683) beside the machine's
# own broker; see cluster.ts. Usage: cluster.sh start|stop|status|url|ctl <node> ...|kill <node>|start-node <node>
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."
exec node -r ts-node/register/transpile-only "$here/main.ts" "$@"
