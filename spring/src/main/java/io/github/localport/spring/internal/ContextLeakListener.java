package io.github.localport.spring.internal;

import org.springframework.core.Ordered;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

/**
 * Fails the test during which a context closed with a port still in use. Spring runs listeners'
 * before-methods in ascending order and after-methods in descending order; this one's order puts
 * it after the listeners that load contexts (dependency injection, 2000; loading can evict a
 * context from the cache) and close them before a test ({@code @DirtiesContext} before modes,
 * 1500), and, in the after-methods, after the one that closes them after a test
 * ({@code @DirtiesContext}, 3000).
 */
public final class ContextLeakListener implements TestExecutionListener, Ordered {

    static final int ORDER = 2900;

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public void beforeTestClass(TestContext testContext) {
        ContextLeaks.throwFoundByThisThread();
    }

    @Override
    public void prepareTestInstance(TestContext testContext) {
        ContextLeaks.throwFoundByThisThread();
    }

    @Override
    public void beforeTestMethod(TestContext testContext) {
        ContextLeaks.throwFoundByThisThread();
    }

    @Override
    public void afterTestMethod(TestContext testContext) {
        ContextLeaks.throwFoundByThisThread();
    }

    @Override
    public void afterTestClass(TestContext testContext) {
        ContextLeaks.throwFoundByThisThread();
    }
}
