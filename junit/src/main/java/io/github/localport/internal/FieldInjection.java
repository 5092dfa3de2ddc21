package io.github.localport.internal;

import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;

import io.github.localport.LocalPort;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ModifierSupport;

/**
 * Sets {@link LocalPort @LocalPort} fields: static fields for a test class, instance fields for
 * each test.
 *
 * <h2>Before any other extension reads them</h2>
 * Other extensions read these fields in their callbacks (a server started on the port in
 * {@code beforeAll} or {@code beforeEach}), and JUnit calls each kind of callback in registration
 * order: class-level {@code @ExtendWith}, a base class's extensions and {@code @RegisterExtension}
 * fields may all come before localport's. The one hook JUnit calls for a class before any
 * {@code beforeAll}, and for a test (whose instance then exists) before any {@code beforeEach},
 * is the {@code ExecutionCondition} evaluated for it: fields are set there, in the scope of that
 * class or test. Should conditions be deactivated ({@code junit.jupiter.conditions.deactivate}),
 * localport's own {@code beforeAll} and {@code beforeEach} set them, in registration order. A
 * failure in the condition is kept and thrown from that callback, so that it fails the class or
 * test as it would have there, rather than as a condition that could not be evaluated.
 *
 * <h2>One field, one scope at a time</h2>
 * A static field has one value in the JVM, shared by the subclasses of the class declaring it;
 * an instance field of an instance that tests share ({@code @TestInstance(PER_CLASS)}, and the
 * enclosing instances of {@code @Nested} tests) has one value for those tests. If two such
 * scopes ran at once, the second would overwrite the first's port and both would use one. So a
 * field carries the port of one scope at a time: a second scope that is not enclosed by the first
 * fails at once, naming the field, both scopes and the fix; one it encloses sees the first's port.
 */
final class FieldInjection {

    /** Which scope each field, of each instance, carries a port for now. */
    private static final ConcurrentMap<Carrier, Claim> CARRYING = new ConcurrentHashMap<>();

    /** Store key of what the condition did in a context. */
    private static final Object EARLY = FieldInjection.class;

    /** The static and the instance {@code @LocalPort} fields of each class: looked up once, not for every test. */
    private static final ClassValue<List<Field>> STATIC_FIELDS = fields(ModifierSupport::isStatic);
    private static final ClassValue<List<Field>> INSTANCE_FIELDS = fields(ModifierSupport::isNotStatic);

    private FieldInjection() {
    }

    /** From the condition: sets the fields of the class or test the context is for, before any callback. */
    static void beforeCallbacks(ExtensionContext context) {
        if (context.getTestClass().isEmpty() || context.getTestMethod().isPresent() && !isTest(context)) {
            return;
        }
        boolean staticFields = context.getTestMethod().isEmpty();
        if (!hasFields(context, staticFields)) {
            return; // the callback finds none either: nothing kept for every test of a class without such fields
        }
        List<Map<String, String>> reports = new ArrayList<>();
        RuntimeException failure = null;
        try {
            injectFields(context, PortScope.reportingTo(context, reports::add), staticFields);
        }
        catch (RuntimeException e) {
            failure = e;
        }
        context.getStore(LocalPortExtension.NAMESPACE).put(EARLY, new Early(reports, failure));
    }

    /**
     * From localport's {@code beforeAll} (static fields) or {@code beforeEach} (instance fields):
     * publishes the report entries of what the condition reserved and throws what failed there,
     * or sets the fields now if the condition did not run.
     */
    static void inCallback(ExtensionContext context, boolean staticFields) {
        Early early = context.getStore(LocalPortExtension.NAMESPACE).remove(EARLY, Early.class);
        if (early == null) {
            injectFields(context, PortScope.of(context), staticFields);
            return;
        }
        early.reports().forEach(context::publishReportEntry);
        if (early.failure() != null) {
            throw early.failure();
        }
    }

    /**
     * What the condition did: report entries wait for the callback, as JUnit has not yet reported
     * the class or test as started when it evaluates conditions.
     */
    private record Early(List<Map<String, String>> reports, RuntimeException failure) {
    }

    /** A test's context, as opposed to that of a test template, whose invocations are the tests. */
    private static boolean isTest(ExtensionContext context) {
        return !AnnotationSupport.isAnnotated(context.getRequiredTestMethod(), TestTemplate.class)
                || context.getParent().flatMap(ExtensionContext::getTestMethod).isPresent();
    }

    private static boolean hasFields(ExtensionContext context, boolean staticFields) {
        if (staticFields) {
            return !STATIC_FIELDS.get(context.getRequiredTestClass()).isEmpty();
        }
        return context.getRequiredTestInstances().getAllInstances().stream()
                .anyMatch(instance -> !INSTANCE_FIELDS.get(instance.getClass()).isEmpty());
    }

    private static void injectFields(ExtensionContext context, PortScope scope, boolean staticFields) {
        if (staticFields) {
            for (Field field : STATIC_FIELDS.get(context.getRequiredTestClass())) {
                inject(context, scope, field, null);
            }
        }
        else {
            for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
                for (Field field : INSTANCE_FIELDS.get(instance.getClass())) {
                    inject(context, scope, field, instance);
                }
            }
        }
    }

    private static ClassValue<List<Field>> fields(Predicate<Field> which) {
        return new ClassValue<>() {
            @Override
            protected List<Field> computeValue(Class<?> type) {
                return List.copyOf(AnnotationSupport.findAnnotatedFields(type, LocalPort.class, which,
                        HierarchyTraversalMode.TOP_DOWN));
            }
        };
    }

    private static void inject(ExtensionContext context, PortScope scope, Field field, Object instance) {
        Carrier carrier = new Carrier(field, instance);
        Claim claim = new Claim(carrier, context);
        Claim current = CARRYING.putIfAbsent(carrier, claim);
        if (current != null) {
            if (PortScope.encloses(current.scope(), context)) {
                return; // set for this scope, or for one that encloses it
            }
            throw clash(carrier, current.scope(), context);
        }
        try {
            String declaration = LocalPortExtension.describe(field);
            if (Modifier.isFinal(field.getModifiers())) {
                throw new ExtensionConfigurationException(
                        "@LocalPort cannot be injected into final " + declaration + ": remove 'final'.");
            }
            LocalPort annotation = AnnotationSupport.findAnnotation(field, LocalPort.class).orElseThrow();
            set(field, instance, LocalPortExtension.valueFor(annotation, field.getType(), declaration, scope));
            scope.keep(claim, claim);
        }
        catch (RuntimeException | Error e) {
            CARRYING.remove(carrier, claim);
            throw e;
        }
    }

    private static ExtensionConfigurationException clash(Carrier carrier, ExtensionContext first,
            ExtensionContext second) {
        String scopes = String.format("@LocalPort field %s carries the port of %s, which is still running, so it"
                + " cannot carry one for %s as well", carrier.name(), PortScope.of(first).label(),
                PortScope.of(second).label());
        if (carrier.instance() == null) {
            String declaringClass = carrier.field().getDeclaringClass().getSimpleName();
            return new ExtensionConfigurationException(String.format("%s: a static field has one value in the JVM,"
                    + " and a static field of a base class is shared by its subclasses. Declare the field in each test"
                    + " class, take the port as a @BeforeAll parameter, or keep these classes from running at the same"
                    + " time (for example with @ResourceLock(\"%s\") on %s, which its subclasses inherit).", scopes,
                    carrier.name(), declaringClass));
        }
        String sharedClass = carrier.instance().getClass().getSimpleName();
        return new ExtensionConfigurationException(String.format("%s: both tests use one instance of %s (the tests"
                + " of a @TestInstance(PER_CLASS) class share its instance and those of the classes enclosing it) and"
                + " run at the same time. Take the port as a parameter of the test or of its @BeforeEach method, or"
                + " keep these tests from running at the same time (for example with @Execution(SAME_THREAD) on %s).",
                scopes, sharedClass, sharedClass));
    }

    private static void set(Field field, Object instance, Object value) {
        try {
            field.setAccessible(true);
            field.set(instance, value);
        }
        catch (InaccessibleObjectException e) {
            throw new ExtensionConfigurationException(String.format("Cannot inject @LocalPort into field %s.%s: its"
                    + " module does not open package %s to localport. Add 'opens %s to io.github.localport;' to the"
                    + " test module's module-info.java.", field.getDeclaringClass().getName(), field.getName(),
                    field.getDeclaringClass().getPackageName(), field.getDeclaringClass().getPackageName()), e);
        }
        catch (ReflectiveOperationException e) {
            throw new ExtensionConfigurationException("Cannot inject @LocalPort into field "
                    + field.getDeclaringClass().getName() + "." + field.getName() + ": " + e, e);
        }
    }

    /** A field of one instance, or a static field ({@code instance} null); instances compare by identity. */
    private record Carrier(Field field, Object instance) {

        String name() {
            return field.getDeclaringClass().getSimpleName() + "." + field.getName();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Carrier that && field.equals(that.field) && instance == that.instance;
        }

        @Override
        public int hashCode() {
            return 31 * field.hashCode() + System.identityHashCode(instance);
        }
    }

    /** A field carrying the port of a scope until the scope ends; one claim is equal only to itself. */
    private static final class Claim implements ScopedResource {

        private final Carrier carrier;
        private final ExtensionContext scope;

        Claim(Carrier carrier, ExtensionContext scope) {
            this.carrier = carrier;
            this.scope = scope;
        }

        ExtensionContext scope() {
            return scope;
        }

        @Override
        public void close() {
            CARRYING.remove(carrier, this);
        }
    }
}
