/**
 * The provider catalog: server presets, mail domains, app-password pages and formats, and the error
 * signatures that tell one failure from another. Also the small value types every other package shares.
 */
package com.dts.apm.provider;
