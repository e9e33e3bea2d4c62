package com.dts.apm;

import com.dts.apm.cli.RootCommand;
import com.dts.apm.process.StopSignal;

/** Entry point: takes SIGTERM/SIGINT first, hands the command line to picocli and exits with its code. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Before anything else: until a stop handler exists, a SIGTERM ends the JVM at once with 143. `run` turns
        // an early one into an orderly stop; every other command gets the JVM's handling back (StopSignal).
        var stop = StopSignal.install();
        System.exit(RootCommand.execute(args, System.in, System.out, System.err, System.getenv(), stop));
    }
}
