/**
 * Internal: the write path: the writer role (memtable, flush pipeline, commit of a new version),
 * the external-table builder (SstWriter) and the external commit. Depends on io.isledb.db (shared
 * plumbing) and the layers below; nothing in the engine depends on it except the API facade.
 */
package io.isledb.db.write;
