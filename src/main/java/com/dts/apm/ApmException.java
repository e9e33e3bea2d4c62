package com.dts.apm;

/**
 * Root of the project's own unchecked exceptions. Its message is a single line fit for an operator:
 * it names the thing that is wrong and never carries a secret.
 */
public class ApmException extends RuntimeException {
    private final int exitCode;

    /** A failure that ends a command with exit code 1 (the subclasses say when it is another). */
    public ApmException(String message) {
        this(message, 1, null);
    }

    public ApmException(String message, Throwable cause) {
        this(message, 1, cause);
    }

    protected ApmException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** The process exit code the command line uses when this exception ends a command. */
    public int exitCode() {
        return exitCode;
    }
}
