/**
 * localport for Spring tests: ports on 127.0.0.1, unique on the whole machine, reserved for a
 * test's application context, published as its properties, held while Spring caches the context
 * and checked for leaks when Spring closes it.
 *
 * <p>Start with {@link io.github.localport.spring.LocalPortProperties @LocalPortProperties}.
 *
 * @since 0.1.0
 */
package io.github.localport.spring;
