/**
 * Internal: the garbage collector role, run as named phases (retained window, live set, mark and
 * sweep, log and snapshot deletion).
 */
package io.isledb.db.gc;
