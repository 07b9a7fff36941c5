/**
 * IsleDB's public API: open a database prefix with {@link io.isledb.IsleDB#openStore}, then the
 * engine with {@link io.isledb.IsleDB#open}. Everything in sub-packages is internal.
 */
package io.isledb;
