package io.chatwire.network;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * The dial-time half of the guard: the HTTP client asks this, not the system, which addresses a
 * host has, and gets back only addresses that passed the check, so it connects to exactly what was
 * checked. A name that resolved to a public address when the endpoint was registered may resolve to
 * 127.0.0.1 now (DNS rebinding); that is caught here, on every new connection. If any address of a
 * host is refused the whole host is, because the client may try them all.
 */
final class GuardedSocketAddressResolver implements SocketAddressResolver {
    private final TargetGuard guard;
    private final Executor executor;

    GuardedSocketAddressResolver(TargetGuard guard, Executor executor) {
        this.guard = guard;
        this.executor = executor;
    }

    @Override
    public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
        // Name resolution blocks; Jetty calls this on its selector, which must never block.
        executor.execute(() -> {
            try {
                List<InetAddress> addresses = guard.addressesOf(host);
                for (InetAddress address : addresses) {
                    var rule = guard.refusal(address);
                    if (rule.isPresent()) {
                        throw new BlockedTargetException(rule.get(), host, address);
                    }
                }
                promise.succeeded(addresses.stream().map(a -> new InetSocketAddress(a, port)).toList());
            } catch (Throwable failure) {
                promise.failed(failure);
            }
        });
    }
}
