package io.ringkv.loadtest;

import java.util.List;

/**
 * The cluster the tester started itself (--start-cluster), for the report.
 *
 * @param pids per node, every pid it ran as (a restart adds one)
 * @param dir  where its data and logs were (deleted after a clean run when it was temporary)
 */
public record ClusterInfo(int nodes, String membership, String backend, String sync, List<String> addresses,
                          List<List<Long>> pids, String dir) {
    public ClusterInfo {
        addresses = List.copyOf(addresses);
        pids = pids.stream().map(List::copyOf).toList();
    }
}
