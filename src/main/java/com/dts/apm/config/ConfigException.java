package com.dts.apm.config;

import com.dts.apm.BadInputException;

/** A configuration file or value that cannot be used; the message names the file, the key and the problem. */
public class ConfigException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
