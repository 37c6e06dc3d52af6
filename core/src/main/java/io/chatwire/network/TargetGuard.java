package io.chatwire.network;

import io.chatwire.problem.Problem;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * Keeps Chatwire from being a way into the network it runs in: webhooks go to public unicast
 * addresses only, unless the operator allows a block (CHATWIRE_ALLOWED_TARGETS, for example a
 * receiver on the same host). Checked twice: when a URL is registered, to tell the customer at once,
 * and when a connection is opened, because only that check is safe against a name whose
 * addresses change between the two (DNS rebinding).
 *
 * @param allowed blocks that are reachable even though a rule refuses them
 * @param requireHttps whether plain http URLs are refused
 * @param resolver how names become addresses (the system resolver; a test double in tests)
 */
public record TargetGuard(List<Cidr> allowed, boolean requireHttps, Resolver resolver) {

    /** Name resolution, injectable so that tests can play DNS. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;

        Resolver SYSTEM = InetAddress::getAllByName;
    }

    public TargetGuard {
        allowed = List.copyOf(allowed);
        Objects.requireNonNull(resolver, "resolver");
    }

    public TargetGuard(List<Cidr> allowed, boolean requireHttps) {
        this(allowed, requireHttps, Resolver.SYSTEM);
    }

    /** Public addresses only, http and https. */
    public static TargetGuard publicOnly() {
        return new TargetGuard(List.of(), false);
    }

    public TargetGuard withResolver(Resolver other) {
        return new TargetGuard(allowed, requireHttps, other);
    }

    /**
     * The rule that refuses this address, or empty if a webhook may go there. An allowed block means
     * exactly the addresses it names, as they are dialled: 127.0.0.1/32 allows 127.0.0.1 (and
     * ::ffff:127.0.0.1, which the socket dials as 127.0.0.1 over IPv4), never ::127.0.0.1 or
     * 64:ff9b::7f00:1, which are dialled as IPv6 and reach whatever that IPv6 address reaches.
     */
    public Optional<String> refusal(InetAddress address) {
        InetAddress dialled = Ranges.dialled(address);
        if (allowed.stream().anyMatch(block -> block.contains(dialled))) {
            return Optional.empty();
        }
        return switch (dialled) {
            case Inet4Address v4 -> Ranges.ipv4Rule(v4);
            case Inet6Address v6 -> Ranges.ipv6Rule(v6);
            default -> Optional.of("reserved");
        };
    }

    /**
     * True when the operator allowed the URL's host itself: an address literal inside an allowed block,
     * or a name whose every address is. Such a URL is exempt from the shape a service's webhook URL must
     * have (a local emulator, a self-hosted proxy); the dial-time check applies to it as to any other.
     */
    public boolean operatorAllows(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (allowed.isEmpty() || url.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
            return false;
        }
        try {
            List<InetAddress> addresses = addressesOf(url.getHost());
            return addresses.stream().map(Ranges::dialled)
                    .allMatch(a -> allowed.stream().anyMatch(block -> block.contains(a)));
        } catch (UnknownHostException notNow) {
            return false;
        }
    }

    /** Why this URL's scheme may not be used, or empty. */
    public Optional<String> schemeRefusal(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "https" -> Optional.empty();
            case "http" -> requireHttps
                    ? Optional.of("url must use https (CHATWIRE_REQUIRE_HTTPS is on)")
                    : Optional.empty();
            default -> Optional.of("url must use http or https (got '" + scheme + "')");
        };
    }

    /**
     * Refuses, with a 400 the customer can act on, a URL whose host is a refused address or a name
     * that resolves to one. A name that does not resolve now is accepted: it may exist later, and the
     * dial-time check stands between it and any address it comes to have.
     */
    public void checkRegistration(URI url) {
        Optional<String> badScheme = schemeRefusal(url);
        if (badScheme.isPresent()) {
            boolean onlyHttp = "http".equalsIgnoreCase(url.getScheme());
            throw new Problem.Invalid(onlyHttp ? "https_required" : "invalid_url", badScheme.get());
        }
        String host = url.getHost();
        if (host == null || host.isBlank()) {
            throw new Problem.Invalid("invalid_url", "url must name a host");
        }
        List<InetAddress> addresses;
        switch (HostSpelling.of(host)) {
            case HostSpelling.Malformed m ->
                throw new Problem.Invalid("invalid_url", "url host '" + m.host() + "' is not valid: " + m.why());
            case HostSpelling.Literal l -> addresses = List.of(l.address());
            case HostSpelling.Name n -> {
                try {
                    addresses = resolve(n.name());
                } catch (UnknownHostException notNow) {
                    return;
                }
            }
        }
        for (InetAddress address : addresses) {
            Optional<String> rule = refusal(address);
            if (rule.isPresent()) {
                throw new Problem.Invalid("blocked_target", "url points at " + article(rule.get()) + " " + rule.get()
                        + " address (" + address.getHostAddress() + "); set CHATWIRE_ALLOWED_TARGETS to allow it");
            }
        }
    }

    /**
     * For the HTTP client: resolves with the same resolver, refuses the connection if any address is
     * refused, and hands over exactly the addresses it checked. Resolution runs on a virtual thread.
     */
    public SocketAddressResolver socketAddressResolver() {
        Executor virtualThreads = task -> Thread.ofVirtual().name("chatwire-resolve").start(task);
        return new GuardedSocketAddressResolver(this, virtualThreads);
    }

    /** Every address the host denotes: itself when it is a literal in any spelling, else what the resolver says. */
    List<InetAddress> addressesOf(String host) throws UnknownHostException {
        return switch (HostSpelling.of(host)) {
            case HostSpelling.Literal l -> List.of(l.address());
            case HostSpelling.Name n -> resolve(n.name());
            // Never handed to a resolver: it might read the spelling differently from us.
            case HostSpelling.Malformed m -> throw new UnknownHostException(m.host() + ": " + m.why());
        };
    }

    private List<InetAddress> resolve(String name) throws UnknownHostException {
        InetAddress[] found = resolver.resolve(name);
        if (found == null || found.length == 0) {
            throw new UnknownHostException(name);
        }
        return List.of(found);
    }

    static String article(String rule) {
        return rule.matches("^(unspecified|[aeio]).*") ? "an" : "a";
    }
}
