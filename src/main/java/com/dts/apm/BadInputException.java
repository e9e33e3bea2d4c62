package com.dts.apm;

/** Bad usage or bad input from the operator: a bad flag, a malformed row, an unknown provider. Exit code 2. */
public class BadInputException extends ApmException {
    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message, 2, null);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, 2, cause);
    }
}
