package com.dts.apm;

/** Bad input that clashes with what is stored (a mailbox or external id already taken). Exit code 2; HTTP 409. */
public class ConflictException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(message);
    }
}
