package io.github.localport.spring.internal;

import java.util.ArrayList;
import java.util.List;

import io.github.localport.spring.LocalPortProperties;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Turns the nearest {@link LocalPortProperties @LocalPortProperties} of a test class (on the
 * class, a superclass, an enclosing class, or a composed annotation) into a
 * {@link LocalPortPropertiesContextCustomizer}, after checking its names: bad input fails here,
 * before anything is reserved.
 */
public final class LocalPortPropertiesContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        LocalPortProperties annotation = TestContextAnnotationUtils.findMergedAnnotation(testClass,
                LocalPortProperties.class);
        return annotation == null ? null
                : new LocalPortPropertiesContextCustomizer(checkedNames(annotation.value(), testClass));
    }

    private static List<String> checkedNames(String[] names, Class<?> testClass) {
        String where = "@LocalPortProperties on " + testClass.getName();
        if (names.length == 0) {
            throw new IllegalArgumentException(where + " names no property: give the names to publish a port under,"
                    + " such as @LocalPortProperties(\"server.port\").");
        }
        List<String> checked = new ArrayList<>();
        for (String name : names) {
            if (name.isBlank() || !name.equals(name.strip())) {
                throw new IllegalArgumentException(where + " has the property name '" + name + "': a name must not be"
                        + " empty or have spaces around it.");
            }
            if (checked.contains(name)) {
                throw new IllegalArgumentException(where + " names property '" + name + "' twice: each name gets a"
                        + " port of its own, so list it once.");
            }
            checked.add(name);
        }
        return checked;
    }
}
