package io.chatwire.policy;

/** What one delivery's attempt needs of its endpoint's policy: the settings and the static headers' values. */
public record JobPolicy(EndpointPolicy settings, StaticHeaders headers) {
    public static final JobPolicy DEFAULT = new JobPolicy(EndpointPolicy.DEFAULT, StaticHeaders.NONE);
}
