#!/usr/bin/env bash
# The TLS benchmark (README.md, "Benchmark"): a throwaway Dovecot on loopback, and the same logins through the
# daemon, the Prometheus blackbox exporter and a raw Java TLS client. Options go to TlsBench:
#   --n 2000,10000  --concurrency 16,64  --protocols imap,smtp,smtps  --clients floor,exporter,daemon
#   --tls conscrypt|jdk (the daemon's and the floor's TLS provider)  --daemon-heap 256m
#   --daemon-jvm "OPTIONS" (default: APM_JAVA_OPTS of systemd/app-password-monitor.service, as installed)
# Needs: dovecot-imapd dovecot-submissiond prometheus-blackbox-exporter openssl (Debian packages), JDK 17, Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in dovecot prometheus-blackbox-exporter openssl setpriv java mvn; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ -e /usr/sbin/dovecot ] && [ ! -e /usr/lib/dovecot/submission ]; then missing+=(dovecot-submissiond); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "error: missing ${missing[*]}; on Debian: apt-get install -y dovecot-imapd dovecot-submissiond prometheus-blackbox-exporter openssl" >&2
  exit 2
fi
# Dovecot's packaged instance is not needed (the benchmark runs its own); it may stay stopped.

# APM_BENCH_NO_BUILD=1 skips the build (several runs in a row on the same classes)
cp_file=target/bench-classpath.txt
if [ "${APM_BENCH_NO_BUILD:-}" != 1 ] || [ ! -s "$cp_file" ]; then
  mvn -B -q -o test-compile 2>/dev/null || mvn -B -q test-compile
  mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null 2>&1 \
    || mvn -B -q dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
fi
classpath="$PWD/target/test-classes:$PWD/target/classes:$(cat "$cp_file")"

dir=$(mktemp -d /tmp/apm-tls-bench.XXXXXX)
cleanup() {
  # TlsBench stops its children itself; this catches what a killed JVM left behind
  for f in "$dir"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
  done
  sleep 1
  for f in "$dir"/*.pid; do
    [ -e "$f" ] || continue
    kill -9 "$(cat "$f")" 2>/dev/null || true
  done
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

java -Xmx1g -cp "$classpath" com.dts.apm.bench.TlsBench --dir "$dir" "$@"
