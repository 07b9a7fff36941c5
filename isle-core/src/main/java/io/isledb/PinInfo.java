package io.isledb;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * One pin as {@link IsleDB#pinInfos()} lists it.
 *
 * @param name the pin's name
 * @param version the pinned version
 * @param history true for a history pin ({@link IsleDB#pinHistory}), false for a version pin
 * @param timeMillis when it was written, on the pinner's clock
 * @param owner who holds it, if given ({@link PinOptions#owner()})
 * @param expiresAtMillis when it expires, on the pinner's clock, if it does ({@link
 *     PinOptions#ttl()}); GC honours it until its own clock is a grace period past this
 */
public record PinInfo(
    String name,
    long version,
    boolean history,
    long timeMillis,
    Optional<String> owner,
    OptionalLong expiresAtMillis) {}
