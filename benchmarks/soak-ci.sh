#!/usr/bin/env bash
# The chaos soak's short run, for CI: builds benchmarks/target/benchmarks.jar (with the library
# of this checkout) and runs ChaosSoak for about 2 minutes (a 20 s no-chaos baseline, then 100 s
# of chaos) on 3 worker JVMs x 3 threads, which a 2-core machine carries beside other work.
# Exits 1 on any overlap, clash with another localport holder, port handed out over a live
# foreign listener, hung thread or failed reservation; 2 on a usage or setup error. Extra
# arguments go to the soak (for example --seed 42 to repeat a run's chaos choices, or --keep to
# keep the records).
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -Pbenchmarks -pl benchmarks -am package -DskipTests
exec java -cp benchmarks/target/benchmarks.jar io.github.localport.benchmarks.ChaosSoak \
  --duration 100s --baseline 20s --workers 3 --threads 3 "$@"
