/** The {@code demo} command's sandbox: the whole loop against a local mail server, for newcomers. */
package com.dts.apm.demo;
