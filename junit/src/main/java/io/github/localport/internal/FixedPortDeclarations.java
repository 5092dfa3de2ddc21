package io.github.localport.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import io.github.localport.LocalPort;
import io.github.localport.core.PortRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ModifierSupport;

/**
 * The ports by number a scope declares, so that the scope takes them all at its first, in
 * ascending order, and never holds one while waiting for a lower one.
 * <ul>
 * <li>A class: its {@code static} fields and {@code @BeforeAll}/{@code @AfterAll} parameters,
 * and under {@code PER_CLASS} its constructor's parameters.</li>
 * <li>A test: the instance fields, {@code @BeforeEach}/{@code @AfterEach} parameters and (under
 * {@code PER_METHOD}) constructor parameters of its class and, for a {@code @Nested} class, of
 * the classes enclosing it, whose instances the test gets too; and its own parameters.</li>
 * </ul>
 * A declaration not found here (JUnit 5.11 resolves constructor parameters in the class's
 * context) is taken when it is resolved, with those of the scope not yet held.
 */
final class FixedPortDeclarations {

    private FixedPortDeclarations() {
    }

    /** Each number declared in the context's scope, with the request of its first declaration. */
    static Map<Integer, PortRequest> of(ExtensionContext context) {
        Map<Integer, PortRequest> declared = new TreeMap<>();
        Class<?> testClass = context.getRequiredTestClass();
        boolean perClass = context.getTestInstanceLifecycle().orElse(TestInstance.Lifecycle.PER_METHOD)
                == TestInstance.Lifecycle.PER_CLASS;
        if (context.getTestMethod().isEmpty()) {
            fields(testClass, ModifierSupport::isStatic, declared);
            methods(testClass, BeforeAll.class, declared);
            methods(testClass, AfterAll.class, declared);
            if (perClass) {
                constructors(testClass, declared);
            }
            return declared;
        }
        for (Class<?> current = testClass; current != null; current = enclosingInstanceClass(current)) {
            fields(current, ModifierSupport::isNotStatic, declared);
            methods(current, BeforeEach.class, declared);
            methods(current, AfterEach.class, declared);
            if (!perClass) {
                constructors(current, declared);
            }
        }
        parameters(context.getRequiredTestMethod(), declared);
        return declared;
    }

    private static void fields(Class<?> testClass, Predicate<Field> which, Map<Integer, PortRequest> declared) {
        for (Field field : AnnotationSupport.findAnnotatedFields(testClass, LocalPort.class, which,
                HierarchyTraversalMode.TOP_DOWN)) {
            add(AnnotationSupport.findAnnotation(field, LocalPort.class).orElseThrow(),
                    LocalPortExtension.describe(field), declared);
        }
    }

    private static void methods(Class<?> testClass, Class<? extends Annotation> lifecycle,
            Map<Integer, PortRequest> declared) {
        AnnotationSupport.findAnnotatedMethods(testClass, lifecycle, HierarchyTraversalMode.TOP_DOWN)
                .forEach(method -> parameters(method, declared));
    }

    private static void constructors(Class<?> testClass, Map<Integer, PortRequest> declared) {
        for (Executable constructor : testClass.getDeclaredConstructors()) {
            parameters(constructor, declared);
        }
    }

    private static void parameters(Executable executable, Map<Integer, PortRequest> declared) {
        Parameter[] parameters = executable.getParameters();
        for (int index = 0; index < parameters.length; index++) {
            int at = index;
            AnnotationSupport.findAnnotation(parameters[index], LocalPort.class).ifPresent(annotation -> add(annotation,
                    LocalPortExtension.describe(parameters[at], at), declared));
        }
    }

    /** Adds a well-formed port by number; any other declaration fails, or is served, when it is resolved itself. */
    private static void add(LocalPort annotation, String declaration, Map<Integer, PortRequest> declared) {
        if (LocalPortAttributes.isByNumber(annotation) && annotation.value().isEmpty()
                && !LocalPortAttributes.isBlock(annotation)) {
            declared.putIfAbsent(annotation.number(), LocalPortAttributes.request(annotation, declaration));
        }
    }

    /** The class whose instance encloses a {@code @Nested} test class's instance, or {@code null}. */
    private static Class<?> enclosingInstanceClass(Class<?> testClass) {
        return testClass.isMemberClass() && !Modifier.isStatic(testClass.getModifiers())
                ? testClass.getEnclosingClass() : null;
    }
}
