/**
 * How the program meets its host: log set-up (text, JSON, journald priorities), the stop signal taken
 * before anything else, and the once-per-cause error log every recurring loop reports through.
 */
package com.dts.apm.process;
