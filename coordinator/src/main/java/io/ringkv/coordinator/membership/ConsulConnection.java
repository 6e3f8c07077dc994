package io.ringkv.coordinator.membership;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.ConsulRawClient;
import java.io.IOException;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClientBuilder;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP clients one node uses to talk to its Consul agent, with bounded timeouts (consul-api's
 * own default waits 600 s for an answer): {@link #quick()} for ordinary requests, limited to
 * {@code requestTimeoutMillis}, and {@link #blocking()} for blocking queries, whose read timeout
 * allows the longest wait plus Consul's jitter (up to wait/16) plus the request timeout. Shared by
 * the membership, the election and the publisher of one node; safe for concurrent use. Close it
 * after them: requests made after {@link #close()} fail.
 */
public final class ConsulConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsulConnection.class);
    private static final int MAX_CONNECTIONS = 16;

    private final String agent;
    private final CloseableHttpClient quickHttp;
    private final CloseableHttpClient blockingHttp;
    private final ConsulClient quick;
    private final ConsulClient blocking;

    public ConsulConnection(ConsulSettings settings) {
        this.agent = settings.host() + ":" + settings.port();
        int requestTimeout = (int) Math.min(Integer.MAX_VALUE, settings.requestTimeoutMillis());
        long waitMillis = settings.watchWaitSeconds() * 1000L;
        int blockingRead = (int) Math.min(Integer.MAX_VALUE, waitMillis + waitMillis / 16 + requestTimeout);
        this.quickHttp = http(requestTimeout, requestTimeout);
        this.blockingHttp = http(requestTimeout, blockingRead);
        this.quick = new ConsulClient(new ConsulRawClient(settings.host(), settings.port(), quickHttp));
        this.blocking = new ConsulClient(new ConsulRawClient(settings.host(), settings.port(), blockingHttp));
    }

    private static CloseableHttpClient http(int connectMillis, int readMillis) {
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
        pool.setMaxTotal(MAX_CONNECTIONS);
        pool.setDefaultMaxPerRoute(MAX_CONNECTIONS);
        // A pooled connection to an agent that restarted is dead; check it before reuse.
        pool.setValidateAfterInactivity(1000);
        RequestConfig config = RequestConfig.custom()
                .setConnectTimeout(connectMillis)
                .setConnectionRequestTimeout(connectMillis)
                .setSocketTimeout(readMillis)
                .build();
        // The callers' loops retry with backoff; hidden retries would only stretch the time bounds.
        return HttpClientBuilder.create().setConnectionManager(pool).setDefaultRequestConfig(config)
                .disableAutomaticRetries().build();
    }

    /** For requests that answer at once. */
    ConsulClient quick() {
        return quick;
    }

    /** For blocking queries (index + wait). */
    ConsulClient blocking() {
        return blocking;
    }

    /** {@code host:port} of the agent, for messages. */
    public String agent() {
        return agent;
    }

    @Override
    public void close() {
        for (CloseableHttpClient http : new CloseableHttpClient[] {quickHttp, blockingHttp}) {
            try {
                http.close();
            } catch (IOException e) {
                log.debug("closing the Consul HTTP client failed", e);
            }
        }
    }
}
