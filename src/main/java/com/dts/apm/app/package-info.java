/** The composition root: builds every part with constructors, starts them, and stops them in reverse order. */
package com.dts.apm.app;
