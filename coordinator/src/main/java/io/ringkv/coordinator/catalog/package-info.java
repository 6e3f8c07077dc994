/**
 * The node's system catalog: a small embedded H2 database in the node's data dir, apart from the
 * data engine, that records who the node is (so a data dir cannot be started as another node),
 * the ring epochs it applied, and the bookkeeping of hinted handoff, repair and rebalancing that
 * the admin API and console show.
 *
 * <p>The schema is versioned: numbered SQL scripts under {@code catalog/} on the class path are
 * applied in order when a catalog opens and recorded in {@code schema_version}, so a catalog
 * written by an older ringkv is upgraded in place and never wiped. Nothing here decides anything
 * about replication; the catalog only stores what the protocol logic reports.
 */
package io.ringkv.coordinator.catalog;
