package com.dts.apm.bench;

/** The benchmark's floor in a JVM of its own: {@code BareLoop PORT N CONCURRENCY} prints {@code wall p50 p95 failed}. */
public final class BareLoop {
    private BareLoop() {}

    public static void main(String[] args) throws Exception {
        var s = Benchmark.bareInProcess(
                Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        System.out.println(s.wallSeconds() + " " + s.p50() + " " + s.p95() + " " + s.notOk());
        System.exit(0);
    }
}
