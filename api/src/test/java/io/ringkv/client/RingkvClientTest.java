package io.ringkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.ringkv.api.v1.ConsistencyLevel;
import io.ringkv.api.v1.DeleteRequest;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.storage.StorageKeys;
import io.ringkv.storage.Tokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The client against three fake nodes over real gRPC on loopback sockets. */
class RingkvClientTest {
    private static final int VNODES = 16;
    private static final int MIB = 1024 * 1024;

    private FakeCluster cluster;
    private final List<RingkvClient> clients = new ArrayList<>();

    @BeforeEach
    void startCluster() throws IOException {
        cluster = FakeCluster.start(3);
        cluster.ring = cluster.rotatingRing(1, VNODES, 2, 0);
    }

    @AfterEach
    void stopCluster() {
        clients.forEach(RingkvClient::close);
        cluster.close();
    }

    private RingkvClient.Builder builder() {
        // No periodic refresh: each test decides when the ring changes.
        return RingkvClient.builder().seeds(cluster.address(0)).ringRefreshInterval(Duration.ZERO);
    }

    /** A client that has fetched the ring, so routing is token-aware from the first request. */
    private RingkvClient client(RingkvClient.Builder builder) {
        RingkvClient client = builder.build();
        clients.add(client);
        client.ring();
        return client;
    }

    private RingkvClient client() {
        return client(builder());
    }

    /** The node ids of vnode replicas for {@code key} in the cluster's current ring, primary first. */
    private List<String> expectedReplicas(String key) {
        int vnode = StorageKeys.vnodeOf(Tokens.of(key), cluster.ring.getVnodeCount());
        int per = cluster.ring.getReplicasPerVnode();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < per; i++) {
            ids.add(cluster.ring.getNodes(cluster.ring.getAssignments(vnode * per + i)).getId());
        }
        return ids;
    }

    /** A key whose primary replica is node {@code node}. */
    private String keyWithPrimary(String node) {
        for (int i = 0; ; i++) {
            String key = "key-" + i;
            if (expectedReplicas(key).getFirst().equals(node)) {
                return key;
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    // ---- routing ----

    @Test
    void writesGoToTheFirstReplicaAndReadsToSomeReplicaOfTheKeysVnode() {
        RingkvClient client = client();
        for (int i = 0; i < 100; i++) {
            String key = "user:" + i;
            client.put(key, bytes("v" + i));
            client.get(key);
        }
        for (FakeCluster.Call call : cluster.dataCalls()) {
            List<String> replicas = expectedReplicas(call.key());
            if (call.method().equals("Put")) {
                assertThat(call.node()).as("put %s", call.key()).isEqualTo(replicas.getFirst());
            } else {
                assertThat(replicas).as("get %s", call.key()).contains(call.node());
            }
        }
        assertThat(cluster.calls("Put")).hasSize(100);
        assertThat(cluster.calls("Get")).hasSize(100);
    }

    @Test
    void readsOfOneHotKeySpreadOverAllItsReplicas() {
        RingkvClient client = client();
        cluster.storeValue("hot", bytes("x"));
        for (int i = 0; i < 10; i++) {
            client.get("hot");
        }
        Set<String> servedBy = new HashSet<>();
        cluster.calls("Get").forEach(c -> servedBy.add(c.node()));
        assertThat(servedBy).containsExactlyInAnyOrderElementsOf(expectedReplicas("hot"));
    }

    @Test
    void ringAndLocateDescribeTheServersRing() {
        RingkvClient client = client();
        RingSnapshot ring = client.ring();
        assertThat(ring.epoch()).isEqualTo(1);
        assertThat(ring.vnodeCount()).isEqualTo(VNODES);
        assertThat(ring.replicasPerVnode()).isEqualTo(2);
        assertThat(ring.nodes()).extracting(RingSnapshot.Node::address).containsExactlyElementsOf(cluster.addresses());
        assertThat(ring.nodes()).allSatisfy(n -> assertThat(n.state()).isEqualTo(RingSnapshot.NodeState.ACTIVE));

        Location location = client.locate("some key");
        assertThat(location.token()).isEqualTo(Tokens.of("some key"));
        assertThat(location.vnode()).isEqualTo(StorageKeys.vnodeOf(Tokens.of("some key"), VNODES));
        assertThat(location.replicas()).extracting(RingSnapshot.Node::id)
                .containsExactlyElementsOf(expectedReplicas("some key"));
        assertThat(location.ringEpoch()).isEqualTo(1);
    }

    @Test
    void aNewerEpochInAResponseRefreshesTheRingAndLaterRequestsFollowIt() {
        RingkvClient client = client();
        String key = keyWithPrimary("n1");
        client.put(key, bytes("before"));
        assertThat(cluster.calls("Put").getLast().node()).isEqualTo("n1");

        // The cluster moves every vnode one node along; nodes start reporting epoch 2.
        cluster.ring = cluster.rotatingRing(2, VNODES, 2, 1);
        int ringFetchesBefore = cluster.calls("GetRing").size();
        client.put(key, bytes("during")); // still routed by epoch 1; its answer names epoch 2
        await().atMost(Duration.ofSeconds(5)).until(() -> client.currentRingForTesting().epoch() == 2);

        // The refresh asked the node that announced the new epoch first.
        assertThat(cluster.calls("GetRing").get(ringFetchesBefore).node()).isEqualTo("n1");
        cluster.calls.clear();
        client.put(key, bytes("after"));
        assertThat(cluster.calls("Put")).singleElement()
                .satisfies(c -> assertThat(c.node()).isEqualTo(expectedReplicas(key).getFirst()).isNotEqualTo("n1"));
    }

    @Test
    void manyResponsesWithANewerEpochShareOneRefresh() {
        RingkvClient client = client();
        cluster.ring = cluster.rotatingRing(2, VNODES, 2, 1);
        int ringFetchesBefore = cluster.calls("GetRing").size();
        List<CompletableFuture<PutResult>> puts = IntStream.range(0, 20)
                .mapToObj(i -> client.putAsync("k" + i, bytes("v"))).toList();
        puts.forEach(CompletableFuture::join);
        await().atMost(Duration.ofSeconds(5)).until(() -> client.currentRingForTesting().epoch() == 2);
        // Twenty answers named epoch 2; they share one fetch, and later ones find the ring current.
        assertThat(cluster.calls("GetRing").size() - ringFetchesBefore).isEqualTo(1);
    }

    @Test
    void withoutARingRequestsGoToTheSeedsAndStillSucceed() {
        cluster.failure = call -> call.method().equals("GetRing") ? Status.UNAVAILABLE.withDescription("no ring") : null;
        RingkvClient client = builder().seeds(cluster.address(2), cluster.address(1)).build();
        clients.add(client);
        assertThatThrownBy(client::ring).isInstanceOf(UnavailableException.class).hasMessageContaining("no ring");

        client.put("a", bytes("1"));
        assertThat(client.get("a").latest()).map(v -> new String(v.value(), StandardCharsets.UTF_8)).hasValue("1");
        assertThat(cluster.calls("Put")).singleElement().satisfies(c -> assertThat(c.node()).isEqualTo("n2"));
        assertThat(cluster.calls("Get")).singleElement().satisfies(c -> assertThat(c.node()).isIn("n2", "n1"));
    }

    // ---- retries ----

    @Test
    void aReadWhoseFirstReplicaIsDownSucceedsOnAnother() {
        RingkvClient client = client();
        String key = keyWithPrimary("n1");
        cluster.storeValue(key, bytes("value"));
        cluster.nodes.get(1).stop();

        // Reads start at a rotating replica: of two consecutive reads, one starts at the dead n1.
        for (int i = 0; i < 2; i++) {
            assertThat(client.get(key).latest()).map(Versioned::value).hasValue(bytes("value"));
        }
        String other = expectedReplicas(key).get(1);
        assertThat(cluster.calls("Get")).hasSize(2).allSatisfy(c -> assertThat(c.node()).isEqualTo(other));
        // Proof that one read did try n1 first: the failed connection demoted it.
        assertThat(client.isDemotedForTesting(cluster.address(1))).isTrue();
    }

    @Test
    void aReadFailsWithUnavailableOnceEveryAttemptFailed() {
        RingkvClient client = client(builder().maxAttempts(3));
        cluster.nodes.forEach(FakeCluster.FakeNode::stop);
        assertThatThrownBy(() -> client.get("k"))
                .isInstanceOfSatisfying(UnavailableException.class, e -> {
                    assertThat(e.getMessage()).contains("node unreachable");
                    // Replicas of k plus the seed as a last resort: three attempts, two of them suppressed.
                    assertThat(e.getSuppressed()).hasSize(2);
                });
    }

    @Test
    void aReadRetriesAnotherReplicaAfterAServerSentUnavailable() {
        RingkvClient client = client();
        cluster.storeValue("k", bytes("v"));
        AtomicInteger gets = new AtomicInteger();
        cluster.failure = call -> call.method().equals("Get") && gets.getAndIncrement() == 0
                ? Status.UNAVAILABLE.withDescription("only 1 of 2 replicas answered") : null;
        assertThat(client.get("k").found()).isTrue();
        List<FakeCluster.Call> getCalls = cluster.calls("Get");
        assertThat(getCalls).hasSize(2);
        assertThat(getCalls.get(0).node()).isNotEqualTo(getCalls.get(1).node());
    }

    @Test
    void aWriteIsNotRetriedAfterAServerSentUnavailable() {
        RingkvClient client = client();
        cluster.failure = call -> Status.UNAVAILABLE.withDescription("only 1 of 2 replicas answered");
        assertThatThrownBy(() -> client.put("k", bytes("v")))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("only 1 of 2 replicas answered");
        assertThatThrownBy(() -> client.delete("k")).isInstanceOf(UnavailableException.class);
        assertThat(cluster.dataCalls()).hasSize(2);
    }

    @Test
    void aWriteToADeadPrimaryGoesToTheNextReplicaSinceItWasNeverSent() {
        RingkvClient client = client();
        String key = keyWithPrimary("n1");
        cluster.nodes.get(1).stop();

        // n1 refused the connection, so no node saw the put: the next replica takes it, once.
        client.put(key, bytes("v"));
        assertThat(cluster.calls("Put")).singleElement()
                .satisfies(c -> assertThat(c.node()).isEqualTo(expectedReplicas(key).get(1)));
        assertThat(client.isDemotedForTesting(cluster.address(1))).isTrue();

        client.delete(key);
        assertThat(cluster.calls("Delete")).singleElement()
                .satisfies(c -> assertThat(c.node()).isEqualTo(expectedReplicas(key).get(1)));
    }

    @Test
    void aReadStuckOnAFrozenNodeMovesOnAfterTheAttemptTimeoutAndLaterRequestsAvoidTheNode() {
        RingkvClient client = client(builder().requestTimeout(Duration.ofSeconds(10))
                .readAttemptTimeout(Duration.ofMillis(200)));
        String key = keyWithPrimary("n1");
        cluster.storeValue(key, bytes("value"));
        cluster.hangingNodes.add("n1");

        // Reads start at a rotating replica: of two consecutive reads, one starts at the frozen n1,
        // waits one attempt timeout (not the 10 s request timeout) and is answered by the other replica.
        for (int i = 0; i < 2; i++) {
            assertThat(client.get(key).latest()).map(Versioned::value).hasValue(bytes("value"));
        }
        assertThat(cluster.calls("Get")).filteredOn(c -> c.node().equals("n1")).hasSize(1);
        assertThat(client.isDemotedForTesting(cluster.address(1))).isTrue();

        // The write for a key whose primary is the frozen node goes straight to the next replica.
        client.put(key, bytes("v2"));
        assertThat(cluster.calls("Put")).singleElement()
                .satisfies(c -> assertThat(c.node()).isEqualTo(expectedReplicas(key).get(1)));
    }

    @Test
    void aZeroReadAttemptTimeoutLetsOneAttemptUseTheWholeRequestTimeout() {
        RingkvClient client = client(builder().requestTimeout(Duration.ofMillis(400))
                .readAttemptTimeout(Duration.ZERO).maxAttempts(3));
        cluster.hang = true;
        assertThatThrownBy(() -> client.get("k")).isInstanceOf(DeadlineExceededException.class);
        assertThat(cluster.calls("Get")).hasSize(1);
    }

    @Test
    void aWriteFailsWithUnavailableWhenNoReplicaAcceptsTheConnection() {
        RingkvClient client = client(builder().maxAttempts(3));
        cluster.nodes.forEach(FakeCluster.FakeNode::stop);
        assertThatThrownBy(() -> client.put("k", bytes("v")))
                .isInstanceOfSatisfying(UnavailableException.class, e -> {
                    assertThat(e.getMessage()).contains("node unreachable");
                    assertThat(e.getSuppressed()).hasSize(expectedReplicas("k").size() - 1);
                });
    }

    // ---- streaming ----

    @Test
    void putsUpToTheThresholdAreUnaryAndLargerOnesStreamInChunks() {
        RingkvClient client = client(builder().streamThresholdBytes(MIB).streamChunkBytes(100_000));
        byte[] atThreshold = randomBytes(MIB, 1);
        byte[] above = randomBytes(MIB + 1, 2);
        client.put("small", atThreshold);
        client.put("large", above);

        assertThat(cluster.calls("Put")).singleElement().satisfies(c -> assertThat(c.key()).isEqualTo("small"));
        assertThat(cluster.calls("PutStream")).singleElement().satisfies(c -> {
            assertThat(c.key()).isEqualTo("large");
            assertThat(c.chunks()).isEqualTo(11); // ceil((1 MiB + 1) / 100 000)
        });
        assertThat(cluster.store.get("small").values().getFirst().getValue().toByteArray()).isEqualTo(atThreshold);
        assertThat(cluster.store.get("large").values().getFirst().getValue().toByteArray()).isEqualTo(above);
    }

    @Test
    void aGetWithOmittedValuesFetchesThemWithGetStreamFromTheSameNode() {
        RingkvClient client = client();
        byte[] small = bytes("small sibling");
        byte[] large = randomBytes(3 * MIB + 17, 3);
        cluster.storeValue("k", small, large);

        GetResult result = client.get("k");

        assertThat(result.found()).isTrue();
        assertThat(result.hasSiblings()).isTrue();
        assertThat(result.values()).extracting(Versioned::value).containsExactly(small, large);
        assertThat(result.context()).isEqualTo(cluster.store.get("k").context().toByteArray());
        // One Get on the KV channel (values up to its 64 KiB limit inline): a 3 MiB sibling is above the
        // stream threshold, so it comes with GetStream straight away.
        FakeCluster.Call get = cluster.calls("Get").getFirst();
        assertThat(((GetRequest) get.request()).getMaxInlineBytes()).isEqualTo(64 * 1024);
        assertThat(cluster.calls("Get")).hasSize(1);
        assertThat(cluster.calls("GetStream")).singleElement().satisfies(c -> assertThat(c.node()).isEqualTo(get.node()));
    }

    @Test
    void aSixteenMibValueRoundTripsThroughStreams() {
        RingkvClient client = client(builder().requestTimeout(Duration.ofSeconds(10)));
        byte[] value = randomBytes(16 * MIB, 4);
        client.put("big", value);
        assertThat(client.get("big").latest()).map(Versioned::value).hasValue(value);
        assertThat(cluster.calls("PutStream")).singleElement().satisfies(c -> assertThat(c.chunks()).isEqualTo(64));
        assertThat(cluster.calls("GetStream")).hasSize(1);
    }

    @Test
    void aSixteenMibValueRoundTripsInOneMessageWhenTheThresholdAllowsIt() {
        RingkvClient client = client(builder().requestTimeout(Duration.ofSeconds(10))
                .streamThresholdBytes(16 * MIB).maxInboundMessageBytes(17 * MIB));
        byte[] value = randomBytes(16 * MIB, 5);
        client.put("big", value);
        assertThat(client.get("big").latest()).map(Versioned::value).hasValue(value);
        assertThat(cluster.calls("Put")).hasSize(1);
        assertThat(cluster.calls("PutStream")).isEmpty();
        assertThat(cluster.calls("GetStream")).isEmpty();
    }

    @Test
    void aStreamShorterThanItsHeaderIsRejectedAndNotRetried() {
        RingkvClient client = client();
        cluster.storeValue("k", randomBytes(2 * MIB, 6));
        cluster.truncateStreamBytes = 10;
        assertThatThrownBy(() -> client.get("k"))
                .isInstanceOf(ProtocolViolationException.class)
                .hasMessageContaining("announced " + 2 * MIB + " bytes, stream carried " + (2 * MIB - 10));
        assertThat(cluster.calls("GetStream")).hasSize(1);
    }

    // ---- errors ----

    @ParameterizedTest
    @EnumSource(value = Status.Code.class, names = {
        "INVALID_ARGUMENT", "UNAVAILABLE", "DEADLINE_EXCEEDED", "FAILED_PRECONDITION", "RESOURCE_EXHAUSTED", "INTERNAL"})
    void serverStatusesMapToExceptionTypesWithTheServersMessage(Status.Code code) {
        RingkvClient client = client();
        cluster.failure = call -> Status.fromCode(code).withDescription("server says " + code);
        String key = keyWithPrimary("n2");
        assertThatThrownBy(() -> client.put(key, bytes("v")))
                .isInstanceOfSatisfying(RingkvException.class, e -> {
                    assertThat(e).isInstanceOf(switch (code) {
                        case INVALID_ARGUMENT -> InvalidRequestException.class;
                        case UNAVAILABLE -> UnavailableException.class;
                        case DEADLINE_EXCEEDED -> DeadlineExceededException.class;
                        case FAILED_PRECONDITION -> ConditionFailedException.class;
                        default -> UnexpectedStatusException.class;
                    });
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.statusDescription()).isEqualTo("server says " + code);
                    assertThat(e.node()).isEqualTo(cluster.address(2));
                    assertThat(e.getMessage()).contains("server says " + code, code.name(), cluster.address(2));
                });
    }

    @Test
    void aLostConditionalPutIsAConditionFailedException() {
        RingkvClient client = client();
        PutOptions ifAbsent = PutOptions.defaults().withIfAbsent(true).withConsistency(Consistency.ALL);
        client.put("k", bytes("first"), ifAbsent);
        assertThatThrownBy(() -> client.put("k", bytes("second"), ifAbsent))
                .isInstanceOf(ConditionFailedException.class).hasMessageContaining("key exists");
        PutRequest sent = (PutRequest) cluster.calls("Put").getLast().request();
        assertThat(sent.getIfAbsent()).isTrue();
        assertThat(sent.getConsistency()).isEqualTo(ConsistencyLevel.ALL);
    }

    @Test
    void optionsAndTheDefaultKeyspaceReachTheServer() {
        RingkvClient client = client(builder().defaultKeyspace("users"));
        PutResult put = client.put("k", bytes("v"), PutOptions.defaults().withW(3).withContext(bytes("ctx")));
        client.get("k", ReadOptions.defaults().withKeyspace("other").withConsistency(Consistency.QUORUM));
        client.delete("k", DeleteOptions.defaults().withContext(put.context()).withW(1));

        PutRequest p = (PutRequest) cluster.calls("Put").getFirst().request();
        assertThat(p.getKeyspace()).isEqualTo("users");
        assertThat(p.getW()).isEqualTo(3);
        assertThat(p.getContext().toStringUtf8()).isEqualTo("ctx");
        GetRequest g = (GetRequest) cluster.calls("Get").getFirst().request();
        assertThat(g.getKeyspace()).isEqualTo("other");
        assertThat(g.getConsistency()).isEqualTo(ConsistencyLevel.QUORUM);
        DeleteRequest d = (DeleteRequest) cluster.calls("Delete").getFirst().request();
        assertThat(d.getKeyspace()).isEqualTo("users");
        assertThat(d.getContext().toByteArray()).isEqualTo(put.context());
        assertThat(put.ringEpoch()).isEqualTo(1);
    }

    @Test
    void aRequestThatOutlivesItsTimeoutFailsWithDeadlineExceededAndIsNotRetried() {
        RingkvClient client = client(builder().requestTimeout(Duration.ofMillis(300)));
        cluster.hang = true;
        assertThatThrownBy(() -> client.get("k")).isInstanceOf(DeadlineExceededException.class);
        assertThatThrownBy(() -> client.put("k", bytes("v"))).isInstanceOf(DeadlineExceededException.class);
        assertThat(cluster.dataCalls()).hasSize(2);
    }

    @Test
    void obviouslyBadInputIsRejectedBeforeAnythingIsSent() {
        RingkvClient client = client();
        assertThatThrownBy(() -> client.get(null))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("key is null");
        assertThatThrownBy(() -> client.put("", bytes("v")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("key is empty");
        assertThatThrownBy(() -> client.put("k", null))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("value is null");
        assertThatThrownBy(() -> client.delete("k", null)).isInstanceOf(InvalidRequestException.class);
        // The async forms report the same failure through the future instead of throwing.
        assertThat(client.getAsync(null)).isCompletedExceptionally();
        assertThat(cluster.dataCalls()).isEmpty();
    }

    // ---- async and lifecycle ----

    @Test
    void theAsyncApiCompletes() {
        RingkvClient client = client();
        List<CompletableFuture<PutResult>> puts = IntStream.range(0, 50)
                .mapToObj(i -> client.putAsync("k" + i, bytes("v" + i))).toList();
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
        List<CompletableFuture<GetResult>> gets = IntStream.range(0, 50).mapToObj(i -> client.getAsync("k" + i)).toList();
        for (int i = 0; i < 50; i++) {
            assertThat(gets.get(i).join().latest()).map(Versioned::value).hasValue(bytes("v" + i));
        }
        client.deleteAsync("k0").join();
        assertThat(client.getAsync("k0").join().found()).isFalse();

        cluster.failure = call -> Status.INVALID_ARGUMENT.withDescription("key too long");
        assertThatThrownBy(() -> client.putAsync("k", bytes("v")).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(InvalidRequestException.class);
    }

    @Test
    void cancellingAFutureCancelsItsCall() {
        RingkvClient client = client(builder().requestTimeout(Duration.ofSeconds(30)));
        cluster.hang = true;
        CompletableFuture<GetResult> get = client.getAsync("k");
        await().atMost(Duration.ofSeconds(5)).until(() -> !cluster.calls("Get").isEmpty());
        assertThat(get.cancel(true)).isTrue();
        assertThat(get).isCancelled();
        // The client stays usable.
        cluster.hang = false;
        assertThat(client.get("k").found()).isFalse();
    }

    // ---- the KV channel ----

    @Test
    void smallCallsGoOnTheKvChannelAndLargerValuesAsRpcs() {
        RingkvClient client = client(builder().kvChannelMaxValueBytes(1024));
        client.put("small", new byte[1024]);
        client.put("large", randomBytes(1025, 1));
        assertThat(client.get("small").found()).isTrue();
        assertThat(client.get("large").latest()).map(Versioned::value).hasValue(randomBytes(1025, 1));
        client.delete("small");
        assertThat(cluster.calls("Put")).extracting(FakeCluster.Call::key, FakeCluster.Call::channel)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("small", true),
                        org.assertj.core.groups.Tuple.tuple("large", false));
        // A get asks the channel for values up to its limit; the larger one (below the stream threshold)
        // then comes inline from a Get RPC on the same node.
        assertThat(cluster.calls("Get")).extracting(FakeCluster.Call::key, FakeCluster.Call::channel,
                        c -> ((GetRequest) c.request()).getMaxInlineBytes())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("small", true, 1024),
                        org.assertj.core.groups.Tuple.tuple("large", true, 1024),
                        org.assertj.core.groups.Tuple.tuple("large", false, MIB));
        assertThat(cluster.calls("GetStream")).isEmpty();
        assertThat(cluster.calls("Delete")).allMatch(FakeCluster.Call::channel).hasSize(1);
    }

    @Test
    void withTheChannelOffEveryCallIsAnRpc() {
        RingkvClient client = client(builder().kvChannel(false));
        client.put("k", bytes("v"));
        assertThat(client.get("k").found()).isTrue();
        client.delete("k");
        assertThat(cluster.dataCalls()).hasSize(3).noneMatch(FakeCluster.Call::channel);
        // Values over the channel's size come again on the connection for large values, channel or not.
        assertThat(((GetRequest) cluster.calls("Get").getFirst().request()).getMaxInlineBytes()).isEqualTo(64 * 1024);
    }

    @Test
    void nodesWithoutTheChannelAreSentRpcsAndNothingIsLostOrDoubled() throws IOException {
        cluster.close();
        cluster = FakeCluster.start(3, false);
        cluster.ring = cluster.rotatingRing(1, VNODES, 2, 0);
        RingkvClient client = client();
        // Concurrent calls race the stream's UNIMPLEMENTED: those already sent on it are resent as RPCs.
        List<CompletableFuture<PutResult>> puts = IntStream.range(0, 30)
                .mapToObj(i -> client.putAsync("k" + i, bytes("v" + i))).toList();
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
        for (int i = 0; i < 30; i++) {
            assertThat(client.get("k" + i).latest()).map(Versioned::value).hasValue(bytes("v" + i));
        }
        assertThat(cluster.calls("Put")).hasSize(30).noneMatch(FakeCluster.Call::channel);
        assertThat(cluster.calls("Get")).hasSize(30);
    }

    @Test
    void aCallOnTheChannelTimesOutOnItsOwnDeadline() {
        RingkvClient client = client(builder().requestTimeout(Duration.ofMillis(300)).readAttemptTimeout(Duration.ZERO));
        client.put("warm", bytes("v"));
        cluster.hang = true;
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.put("k", bytes("v"))).isInstanceOf(DeadlineExceededException.class)
                .hasMessageContaining("on the KV channel");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
        assertThat(cluster.calls("Put")).allMatch(FakeCluster.Call::channel);
    }

    @Test
    void aNodeThatStopsFailsItsChannelCallsAndLaterCallsFindAnotherReplica() {
        RingkvClient client = client(builder().kvChannelReconnectBackoff(Duration.ZERO));
        String key = keyWithPrimary("n0");
        client.put(key, bytes("v1"));
        assertThat(cluster.calls("Put").getFirst().channel()).isTrue();
        cluster.nodes.getFirst().stop();
        // The stream to n0 is gone: the read moves on to the other replica.
        assertThat(client.get(key).latest()).map(Versioned::value).hasValue(bytes("v1"));
        client.put(key, bytes("v2"));
        assertThat(cluster.calls("Put").getLast().node()).isEqualTo("n1");
    }

    @Test
    void largeValuesTravelOnTheirOwnConnectionApartFromSmallRequests() {
        RingkvClient client = client(builder().kvChannelMaxValueBytes(1024).streamThresholdBytes(MIB)
                .streamChunkBytes(100_000));
        List<String> keys = IntStream.range(0, 1000).mapToObj(i -> "bulk-" + i)
                .filter(k -> expectedReplicas(k).getFirst().equals("n0")).limit(3).toList();
        client.put(keys.get(0), new byte[1024]);
        client.put(keys.get(1), randomBytes(1025, 4));
        client.put(keys.get(2), randomBytes(MIB + 1, 5));
        assertThat(client.get(keys.get(1)).latest()).map(Versioned::value).hasValue(randomBytes(1025, 4));
        assertThat(client.get(keys.get(2)).latest()).map(Versioned::value).hasValue(randomBytes(MIB + 1, 5));
        assertThat(client.get(keys.get(0)).found()).isTrue();

        // Per node: small values on the KV channel's stream; every call with a large value on one other connection.
        java.util.Set<String> largeMethods = java.util.Set.of("ringkv.v1.KV/Put", "ringkv.v1.KV/PutStream",
                "ringkv.v1.KV/Get", "ringkv.v1.KV/GetStream");
        java.util.Map<String, java.util.Set<java.net.SocketAddress>> small = new java.util.TreeMap<>();
        java.util.Map<String, java.util.Set<java.net.SocketAddress>> large = new java.util.TreeMap<>();
        java.util.Set<String> largeSeen = new java.util.HashSet<>();
        for (FakeCluster.Arrival a : cluster.arrivals) {
            if (a.method().equals("ringkv.v1.KVChannel/Exchange")) {
                small.computeIfAbsent(a.node(), n -> new java.util.HashSet<>()).add(a.client());
            } else if (largeMethods.contains(a.method())) {
                large.computeIfAbsent(a.node(), n -> new java.util.HashSet<>()).add(a.client());
                largeSeen.add(a.method());
            }
        }
        assertThat(largeSeen).isEqualTo(largeMethods);
        assertThat(large).isNotEmpty();
        large.forEach((node, connections) -> {
            assertThat(connections).as(node).hasSize(1);
            assertThat(small.getOrDefault(node, java.util.Set.of())).as(node).hasSizeLessThanOrEqualTo(1)
                    .doesNotContainAnyElementsOf(connections);
        });
        assertThat(small).isNotEmpty();
    }

    @Test
    void closeShutsEveryChannelDown() throws InterruptedException {
        RingkvClient client = client();
        for (int i = 0; i < 20; i++) {
            client.put("k" + i, bytes("v"));
        }
        List<ManagedChannel> channels = client.channelsForTesting();
        assertThat(channels).hasSizeGreaterThanOrEqualTo(2);
        client.close();
        for (ManagedChannel channel : channels) {
            assertThat(channel.isShutdown()).isTrue();
            assertThat(channel.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThatThrownBy(() -> client.get("k")).isInstanceOf(IllegalStateException.class);
        assertThat(client.putAsync("k", bytes("v"))).isCompletedExceptionally();
        client.close(); // idempotent
    }
}
