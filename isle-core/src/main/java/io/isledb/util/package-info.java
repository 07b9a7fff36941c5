/** Internal: byte and encoding helpers. */
package io.isledb.util;
