/** Internal: the compactor and retention compactor roles and their policies. */
package io.isledb.db.compaction;
