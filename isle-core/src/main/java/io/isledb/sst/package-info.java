/**
 * Internal: the SST table format (docs/FORMAT.md, "SST files"). No compatibility promise for the
 * Java types; the persisted format is stable and versioned.
 */
package io.isledb.sst;
