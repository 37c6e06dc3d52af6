package io.chatwire.api;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.CyclicTimeout;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.NanoTime;

/**
 * HTTP/1.1 connections that must deliver each request's headers within a deadline, counted from
 * the moment the connection is accepted (first request) or from the first byte of the request
 * (later requests on a kept-alive connection). Jetty bounds only the silence between two reads (the
 * idle timeout) and body data rates (MinimumDataRateHandler, a handler, so after the headers);
 * nothing of its own bounds the header block, so a client sending one byte every few seconds
 * (slowloris) held a connection for as long as it liked. Past the deadline the connection is closed without an
 * answer, as Jetty does when its idle timeout expires before a request: there is no request to
 * answer yet. A kept-alive connection waiting quietly for its next request is left to the idle
 * timeout.
 */
final class HeaderDeadlineConnectionFactory extends HttpConnectionFactory {
    private final Duration timeout;

    HeaderDeadlineConnectionFactory(HttpConfiguration http, Duration timeout) {
        super(http);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the header timeout must be positive (got " + timeout + ")");
        }
        this.timeout = timeout;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        DeadlineConnection connection = new DeadlineConnection(getHttpConfiguration(), connector, endPoint, timeout);
        // What HttpConnectionFactory.newConnection sets up beside the connection itself.
        connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(connection, connector, endPoint);
    }

    private static final class DeadlineConnection extends HttpConnection {
        private final Duration timeout;
        private final CyclicTimeout timer;
        /** Set while the headers of a request are awaited; read by the scheduler's thread. */
        private volatile boolean awaitingHeaders;
        private volatile long awaitingSince;

        DeadlineConnection(HttpConfiguration http, Connector connector, EndPoint endPoint, Duration timeout) {
            super(http, connector, endPoint);
            this.timeout = timeout;
            this.timer = new CyclicTimeout(connector.getScheduler()) {
                @Override
                public void onTimeoutExpired() {
                    expire();
                }
            };
        }

        @Override
        public void onOpen() {
            startWaiting();
            super.onOpen();
        }

        @Override
        public void onClose(Throwable cause) {
            awaitingHeaders = false;
            timer.destroy();
            super.onClose(cause);
        }

        // Called by the superclass constructor: the handler must not touch this class's fields until
        // the parser calls it, which is after construction.
        @Override
        protected RequestHandler newRequestHandler() {
            return new RequestHandler() {
                @Override
                public void messageBegin() {
                    super.messageBegin();
                    // The parser calls this whenever it waits for a new request; only bytes that
                    // have arrived start the clock, so a quiet kept-alive connection is not cut.
                    if (!awaitingHeaders && !isRequestBufferEmpty()) {
                        startWaiting();
                    }
                }

                @Override
                public boolean headerComplete() {
                    stopWaiting();
                    return super.headerComplete();
                }

                @Override
                public void badMessage(HttpException failure) {
                    stopWaiting();
                    super.badMessage(failure);
                }

                @Override
                public void earlyEOF() {
                    stopWaiting();
                    super.earlyEOF();
                }
            };
        }

        private void startWaiting() {
            awaitingSince = NanoTime.now();
            awaitingHeaders = true;
            timer.schedule(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        private void stopWaiting() {
            awaitingHeaders = false;
            timer.cancel();
        }

        private void expire() {
            if (!awaitingHeaders) {
                return;
            }
            long left = timeout.toNanos() - NanoTime.since(awaitingSince);
            if (left > 0) {
                // A timer from an earlier wait that fired as a new one began.
                timer.schedule(left, TimeUnit.NANOSECONDS);
                return;
            }
            getEndPoint().close(new TimeoutException("request headers not complete within " + timeout));
        }
    }
}
