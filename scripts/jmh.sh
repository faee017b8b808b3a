#!/bin/sh
# The JMH benchmarks (src/test/java/**/*Benchmark.java): the translator against the interpreter on the same
# guest code, in guest instructions per second. Arguments go to JMH (default: TranslatorBenchmark), e.g.
#   scripts/jmh.sh TranslatorBenchmark.hotLoop -p translate=off,0,64
set -e
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
    -Dmdep.includeScope=test 1>&2
if [ $# -eq 0 ]; then
    set -- TranslatorBenchmark
fi
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main "$@"
