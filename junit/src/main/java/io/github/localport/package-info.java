/**
 * localport: a port on 127.0.0.1 per test, unique on the whole machine, checked for leaks when
 * it is released.
 *
 * <p>Start with {@link io.github.localport.LocalPort @LocalPort}; reserve ports in code with
 * {@link io.github.localport.ReservedPort#reserve()}.
 *
 * @since 0.1.0
 */
package io.github.localport;
