package io.ringkv.coordinator.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FailuresTest {
    @Test
    void theCauseIsWhatTheCallThrewUnderEveryWrapperAFutureAdds() throws Exception {
        IllegalStateException thrown = new IllegalStateException("disk gone");
        CompletableFuture<Object> failed = CompletableFuture.failedFuture(thrown);
        Throwable[] seen = new Throwable[1];
        failed.thenApply(v -> v).whenComplete((v, e) -> seen[0] = e);
        assertThat(seen[0]).isInstanceOf(CompletionException.class);
        assertThat(Failures.cause(seen[0])).isSameAs(thrown);
        assertThat(Failures.cause(new ExecutionException(new CompletionException(thrown)))).isSameAs(thrown);
        assertThat(Failures.cause(thrown)).isSameAs(thrown);
    }

    @Test
    void aWrapperWithoutACauseIsTheFailureItself() {
        CompletionException bare = new CompletionException("no cause", null);
        assertThat(Failures.cause(bare)).isSameAs(bare);
    }
}
