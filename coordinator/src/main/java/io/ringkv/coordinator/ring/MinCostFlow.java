package io.ringkv.coordinator.ring;

import java.util.Arrays;

/**
 * Minimum-cost flow on a small graph with non-negative integer costs (primal-dual: Dijkstra with
 * potentials, then a Dinic blocking flow over the zero reduced-cost edges).
 *
 * <p>The planner uses it to choose which replica slots change hands: every plan that obeys the
 * movement and balance rules is a flow, and the cost counts rack repeats. One instance is used
 * once, by one thread.
 */
final class MinCostFlow {

    private static final long INFINITE = Long.MAX_VALUE / 4;

    private final int vertexCount;
    private final int[] head;
    private int[] next = new int[64];
    private int[] to = new int[64];
    private int[] capacity = new int[64];
    private int[] initialCapacity = new int[64];
    private long[] cost = new long[64];
    private int edgeCount;

    MinCostFlow(int vertexCount) {
        if (vertexCount < 2 || vertexCount >= (1 << 20)) {
            throw new IllegalArgumentException("vertex count must be in 2..2^20, got " + vertexCount);
        }
        this.vertexCount = vertexCount;
        this.head = new int[vertexCount];
        Arrays.fill(head, -1);
    }

    /** Adds an edge and its residual twin; returns the edge's id for {@link #flowOn(int)}. */
    int addEdge(int from, int target, int edgeCapacity, long edgeCost) {
        if (edgeCapacity < 0 || edgeCost < 0) {
            throw new IllegalArgumentException("capacity and cost must be >= 0");
        }
        int id = push(from, target, edgeCapacity, edgeCost);
        push(target, from, 0, -edgeCost);
        return id;
    }

    private int push(int from, int target, int edgeCapacity, long edgeCost) {
        if (edgeCount == next.length) {
            int size = next.length * 2;
            next = Arrays.copyOf(next, size);
            to = Arrays.copyOf(to, size);
            capacity = Arrays.copyOf(capacity, size);
            initialCapacity = Arrays.copyOf(initialCapacity, size);
            cost = Arrays.copyOf(cost, size);
        }
        int id = edgeCount++;
        to[id] = target;
        capacity[id] = edgeCapacity;
        initialCapacity[id] = edgeCapacity;
        cost[id] = edgeCost;
        next[id] = head[from];
        head[from] = id;
        return id;
    }

    /** Units of flow on the edge after {@link #run}. */
    int flowOn(int edge) {
        return initialCapacity[edge] - capacity[edge];
    }

    /**
     * Sends up to {@code maxFlow} units from source to sink at minimum total cost.
     *
     * @return the units sent; fewer than {@code maxFlow} means no more can get through
     */
    int run(int source, int sink, int maxFlow) {
        long[] potential = new long[vertexCount];
        long[] distance = new long[vertexCount];
        int[] level = new int[vertexCount];
        int[] cursor = new int[vertexCount];
        int[] queue = new int[vertexCount];
        int[] pathEdges = new int[vertexCount];
        int[] pathVertices = new int[vertexCount];
        LongHeap heap = new LongHeap();
        int flow = 0;
        while (flow < maxFlow) {
            if (!shortestDistances(source, sink, potential, distance, heap)) {
                break;
            }
            long toSink = distance[sink];
            for (int v = 0; v < vertexCount; v++) {
                potential[v] += Math.min(distance[v], toSink);
            }
            // Every source-sink path made of zero reduced-cost edges is now a cheapest path.
            while (flow < maxFlow && levels(source, sink, potential, level, queue)) {
                System.arraycopy(head, 0, cursor, 0, vertexCount);
                int pushed;
                while (flow < maxFlow
                        && (pushed = augment(source, sink, maxFlow - flow, potential, level, cursor, pathEdges,
                                pathVertices)) > 0) {
                    flow += pushed;
                }
            }
        }
        return flow;
    }

    private boolean shortestDistances(int source, int target, long[] potential, long[] distance, LongHeap heap) {
        Arrays.fill(distance, INFINITE);
        distance[source] = 0;
        heap.clear();
        heap.add(0, source);
        while (!heap.isEmpty()) {
            long top = heap.poll();
            long d = LongHeap.key(top);
            int u = LongHeap.value(top);
            if (d > distance[u]) {
                continue;
            }
            for (int e = head[u]; e != -1; e = next[e]) {
                if (capacity[e] == 0) {
                    continue;
                }
                int v = to[e];
                long nd = d + cost[e] + potential[u] - potential[v];
                if (nd < distance[v]) {
                    distance[v] = nd;
                    heap.add(nd, v);
                }
            }
        }
        return distance[target] < INFINITE;
    }

    private boolean levels(int source, int target, long[] potential, int[] level, int[] queue) {
        Arrays.fill(level, -1);
        level[source] = 0;
        int headIndex = 0;
        int tail = 0;
        queue[tail++] = source;
        while (headIndex < tail) {
            int u = queue[headIndex++];
            for (int e = head[u]; e != -1; e = next[e]) {
                int v = to[e];
                if (capacity[e] > 0 && level[v] < 0 && cost[e] + potential[u] - potential[v] == 0) {
                    level[v] = level[u] + 1;
                    queue[tail++] = v;
                }
            }
        }
        return level[target] >= 0;
    }

    /** Finds one augmenting path in the level graph without recursion (paths can be long). */
    private int augment(int source, int target, int limit, long[] potential, int[] level, int[] cursor,
            int[] pathEdges, int[] pathVertices) {
        int depth = 0;
        int u = source;
        while (true) {
            if (u == target) {
                int bottleneck = limit;
                for (int i = 0; i < depth; i++) {
                    bottleneck = Math.min(bottleneck, capacity[pathEdges[i]]);
                }
                for (int i = 0; i < depth; i++) {
                    capacity[pathEdges[i]] -= bottleneck;
                    capacity[pathEdges[i] ^ 1] += bottleneck;
                }
                return bottleneck;
            }
            int e = cursor[u];
            while (e != -1) {
                int v = to[e];
                if (capacity[e] > 0 && level[v] == level[u] + 1 && cost[e] + potential[u] - potential[v] == 0) {
                    break;
                }
                e = next[e];
            }
            cursor[u] = e;
            if (e == -1) {
                if (depth == 0) {
                    return 0;
                }
                level[u] = -1; // dead end: never try it again in this round
                depth--;
                u = pathVertices[depth];
                cursor[u] = next[cursor[u]];
                continue;
            }
            pathEdges[depth] = e;
            pathVertices[depth] = u;
            depth++;
            u = to[e];
        }
    }

    /** A binary min-heap of (key, vertex) pairs packed into longs. */
    private static final class LongHeap {
        private static final int VALUE_BITS = 20;
        private long[] items = new long[64];
        private int size;

        static long key(long packed) {
            return packed >>> VALUE_BITS;
        }

        static int value(long packed) {
            return (int) (packed & ((1L << VALUE_BITS) - 1));
        }

        void clear() {
            size = 0;
        }

        boolean isEmpty() {
            return size == 0;
        }

        void add(long key, int value) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            long item = (key << VALUE_BITS) | value;
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (items[parent] <= item) {
                    break;
                }
                items[i] = items[parent];
                i = parent;
            }
            items[i] = item;
        }

        long poll() {
            long top = items[0];
            long last = items[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && items[child + 1] < items[child]) {
                    child++;
                }
                if (items[child] >= last) {
                    break;
                }
                items[i] = items[child];
                i = child;
            }
            if (size > 0) {
                items[i] = last;
            }
            return top;
        }
    }
}
