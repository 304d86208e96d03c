#!/usr/bin/env bash
# Drain throughput of 1, 2 and 3 consumer JVMs into one shared data dir and into a data dir each.
# Usage: bench/scaling.sh [ticks=1000000] [partitions=6] [counts=1,2,3] [layouts=shared,separate] [-- consumer options]
# Builds the consumer jar first unless SKIP_BUILD=1. Run on an otherwise idle machine; takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -B -q package -pl consumer -am -DskipTests
fi
exec java -Xmx1g -cp consumer/target/ticksink-consumer.jar bench/ScalingBench.java "$@"
