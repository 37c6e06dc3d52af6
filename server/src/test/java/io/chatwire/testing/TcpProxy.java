package io.chatwire.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A loopback TCP proxy in front of one target (e.g. PostgreSQL), so a test can take the target away
 * and give it back without touching it: {@link #cut()} closes every open connection and closes
 * each new one at once (the client sees a reset or EOF, not a hang); {@link #restore()} forwards
 * again. A virtual thread per direction per connection.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> open = new HashSet<>();
    private boolean cut;
    private boolean closed;

    private TcpProxy(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
    }

    /** Listens on 127.0.0.1 on a free port, forwarding to {@code host:port}. */
    public static TcpProxy start(String host, int port) {
        try {
            ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
            TcpProxy proxy = new TcpProxy(server, new InetSocketAddress(host, port));
            Thread.ofVirtual().name("tcp-proxy-accept-" + server.getLocalPort()).start(proxy::acceptLoop);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a TCP proxy", e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Closes every open connection; new ones are closed as soon as they are accepted. */
    public void cut() {
        List<Socket> toClose;
        synchronized (this) {
            cut = true;
            toClose = new ArrayList<>(open);
            open.clear();
        }
        toClose.forEach(TcpProxy::closeQuietly);
    }

    /** Forwards new connections again. */
    public synchronized void restore() {
        cut = false;
    }

    public synchronized boolean isCut() {
        return cut;
    }

    /** How many connections (client side) are open through the proxy right now. */
    public synchronized int openConnections() {
        return open.size() / 2;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread.ofVirtual().name("tcp-proxy-conn").start(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        synchronized (this) {
            if (cut || closed) {
                closeQuietly(client);
                return;
            }
        }
        Socket upstream = new Socket();
        try {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(target, 2_000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        synchronized (this) {
            // cut() may have run while connecting upstream: then this pair must not live on.
            if (cut || closed) {
                closeQuietly(client);
                closeQuietly(upstream);
                return;
            }
            open.add(client);
            open.add(upstream);
        }
        Thread.ofVirtual().name("tcp-proxy-up").start(() -> pump(client, upstream));
        Thread.ofVirtual().name("tcp-proxy-down").start(() -> pump(upstream, client));
    }

    /** Copies one direction until either side ends, then closes both. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // One side went away (or cut() closed it).
        } finally {
            synchronized (this) {
                open.remove(from);
                open.remove(to);
            }
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Already gone.
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        cut();
        try {
            server.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }
}
