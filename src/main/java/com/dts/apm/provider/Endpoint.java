package com.dts.apm.provider;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/** A mail server address with its transport security. */
public record Endpoint(String host, int port, Security security) {
    private static final Pattern HOST = Pattern.compile("[a-z0-9._:\\-\\[\\]]+");
    private static final Pattern ADDRESS_LITERAL = Pattern.compile("[0-9.]+|\\[?[0-9a-f:]+]?");

    public Endpoint {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(security, "security");
        host = host.trim().toLowerCase(Locale.ROOT);
        if (host.isEmpty() || !HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("bad host name '" + host + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
        }
    }

    /** True for localhost and loopback literals; plain connections are allowed only there. */
    public boolean isLoopback() {
        if (host.equals("localhost")) {
            return true;
        }
        if (!ADDRESS_LITERAL.matcher(host).matches()) {
            return false;
        }
        try {
            return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return host + ":" + port + " (" + security.label() + ")";
    }
}
