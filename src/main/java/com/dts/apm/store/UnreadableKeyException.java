package com.dts.apm.store;

import com.dts.apm.ApmException;

/** The master key is missing, malformed, or does not match the database. Exit code 2: the operator must fix it. */
public class UnreadableKeyException extends ApmException {
    private static final long serialVersionUID = 1L;

    public UnreadableKeyException(String message) {
        super(message, 2, null);
    }
}
