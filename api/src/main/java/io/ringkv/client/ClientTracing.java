package io.ringkv.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * Client spans and trace context propagation with the OpenTelemetry API alone (no SDK, no
 * instrumentation library): one {@code CLIENT} span per RPC attempt named like the method
 * ({@code ringkv.v1.KV/Put}), a child of the caller's current span, whose context goes to the
 * node in the {@code traceparent} header. Loaded only when a client is given an OpenTelemetry.
 */
final class ClientTracing implements ClientInterceptor {
    private static final TextMapSetter<Metadata> SETTER =
            (headers, key, value) -> headers.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);

    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;

    ClientTracing(OpenTelemetry openTelemetry) {
        this.openTelemetry = openTelemetry;
        this.tracer = openTelemetry.getTracer("io.ringkv.client");
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        Context parent = Context.current();
        Span span = tracer.spanBuilder(method.getFullMethodName()).setParent(parent).setSpanKind(SpanKind.CLIENT)
                .setAttribute("rpc.system", "grpc")
                .setAttribute("rpc.service", String.valueOf(method.getServiceName()))
                .setAttribute("rpc.method", String.valueOf(method.getBareMethodName()))
                .setAttribute("server.address", next.authority())
                .startSpan();
        Context context = parent.with(span);
        ClientCall<Q, R> call;
        try (Scope ignored = context.makeCurrent()) {
            call = next.newCall(method, options);
        }
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                openTelemetry.getPropagators().getTextMapPropagator().inject(context, headers, SETTER);
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        span.setAttribute("rpc.grpc.status_code", status.getCode().value());
                        if (!status.isOk()) {
                            span.setStatus(StatusCode.ERROR, status.getCode() + (status.getDescription() == null
                                    ? "" : ": " + status.getDescription()));
                        }
                        span.end();
                        super.onClose(status, trailers);
                    }
                }, headers);
            }

            @Override
            public void cancel(String message, Throwable cause) {
                span.setStatus(StatusCode.ERROR, "cancelled: " + message);
                span.end();
                super.cancel(message, cause);
            }
        };
    }
}
