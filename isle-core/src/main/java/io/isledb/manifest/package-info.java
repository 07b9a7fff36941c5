/**
 * Internal: the manifest log, its objects and the replay rule (docs/PROTOCOL.md, docs/FORMAT.md).
 * No compatibility promise for the Java types; the persisted formats are stable.
 */
package io.isledb.manifest;
