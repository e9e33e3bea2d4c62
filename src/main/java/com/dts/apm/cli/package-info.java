/** picocli subcommands with human and JSON output; the only place that prints for a person. */
package com.dts.apm.cli;
