package com.dts.apm.probe;

import com.dts.apm.provider.Protocol;
import java.util.Objects;

/**
 * Why a check did not end OK, as the probe saw it: where in the conversation it happened, the
 * exception (if any), and the server's reply (SMTP: code and text; IMAP: code -1).
 */
record Failure(Protocol protocol, Stage stage, int code, String reply, Throwable error) {

    /** Where in the conversation the failure happened. */
    enum Stage {
        /** connecting, greeting, TLS, EHLO/CAPABILITY */
        CONNECT,
        /** the answer to LOGIN / AUTHENTICATE / AUTH */
        LOGIN,
        /** the command after a successful login (IMAP LIST) */
        AFTER_LOGIN,
        /** the SMTP server offered no AUTH at all */
        NO_AUTH,
        /** an OAuth check: the server offers no SASL XOAUTH2, so nothing was sent; reply: the mechanisms it offers */
        NO_XOAUTH2,
        /** the overall deadline passed before the server finished */
        DEADLINE
    }

    Failure {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(stage, "stage");
    }

    static Failure reply(Protocol protocol, Stage stage, int code, String reply) {
        return new Failure(protocol, stage, code, reply, null);
    }

    static Failure error(Protocol protocol, Stage stage, Throwable error) {
        return new Failure(protocol, stage, -1, null, error);
    }
}
