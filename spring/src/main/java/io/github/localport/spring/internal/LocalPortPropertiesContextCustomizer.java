package io.github.localport.spring.internal;

import java.util.List;
import java.util.Set;

import io.github.localport.core.Settings;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Reserves a port per property name when Spring creates a test's application context, publishes
 * them as the context's first property source, and has the context close them last.
 *
 * <p>Part of Spring's context cache key: equal to another customizer with the same property
 * names in any order, whatever ports either reserved, so caching works as without localport.
 */
final class LocalPortPropertiesContextCustomizer implements ContextCustomizer {

    /** Name of the property source and of the disposable bean. */
    static final String NAME = "localPortProperties";

    private final List<String> names;

    LocalPortPropertiesContextCustomizer(List<String> names) {
        this.names = List.copyOf(names);
    }

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
        ContextPorts ports = ContextPorts.reserve(names, describe(mergedConfig), Settings.fromSystemProperties());
        try {
            closeWith(context, ports);
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource(NAME, ports.properties()));
        }
        catch (RuntimeException | Error e) {
            ports.releaseAfter(e);
            throw e;
        }
    }

    /**
     * Registers the ports as the context's first disposable bean, which Spring destroys last, after
     * its web servers have stopped (lifecycle beans stop before any bean is destroyed). Registered
     * before refresh, so a refresh that fails releases them too.
     */
    private static void closeWith(ConfigurableApplicationContext context, ContextPorts ports) {
        ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
        if (!(beanFactory instanceof DefaultSingletonBeanRegistry registry)) {
            throw new IllegalStateException("@LocalPortProperties cannot tell when " + ports.context() + " closes: its"
                    + " bean factory is a " + beanFactory.getClass().getName() + ", not a Spring"
                    + " DefaultListableBeanFactory.");
        }
        registry.registerDisposableBean(NAME, ports);
    }

    /** The context for messages: the test class it was loaded for, which other classes may share. */
    private static String describe(MergedContextConfiguration mergedConfig) {
        return "the Spring application context loaded for " + mergedConfig.getTestClass().getName();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LocalPortPropertiesContextCustomizer customizer
                && Set.copyOf(names).equals(Set.copyOf(customizer.names));
    }

    @Override
    public int hashCode() {
        return Set.copyOf(names).hashCode();
    }

    @Override
    public String toString() {
        return "@LocalPortProperties" + names;
    }
}
