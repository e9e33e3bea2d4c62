/**
 * Immutable configuration records, the strict YAML loader and value validation with full key names.
 * The lowest layer: it imports nothing else of the project.
 */
package com.dts.apm.config;
