package com.dts.apm.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/** The streams and environment a command talks to; real ones in production, captured ones in tests. */
record Terminal(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
    /** True when standard error is an interactive terminal (progress lines are shown only then). */
    boolean errIsTty() {
        return err == System.err && System.console() != null;
    }
}
