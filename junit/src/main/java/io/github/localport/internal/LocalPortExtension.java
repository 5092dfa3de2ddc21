package io.github.localport.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Parameter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.StringJoiner;
import java.util.function.Function;

import io.github.localport.LocalPort;
import io.github.localport.Protocol;
import io.github.localport.ReservedPort;
import io.github.localport.core.PortRegistry;
import io.github.localport.core.PortRequest;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link LocalPort @LocalPort} parameters and fields. Registered by the annotation
 * itself; stateless: every reservation lives in the {@link ExtensionContext.Store} of the
 * scope it was resolved in, which closes it at the end of that scope.
 */
public final class LocalPortExtension implements ParameterResolver, ExecutionCondition, BeforeAllCallback,
        BeforeEachCallback {

    static final Namespace NAMESPACE = Namespace.create(LocalPortExtension.class);

    private static final ConditionEvaluationResult ENABLED = ConditionEvaluationResult.enabled(
            "@LocalPort fields are set");

    private static final String SUPPORTED_TYPES = "int, Integer, java.net.InetSocketAddress, java.net.URI or "
            + ReservedPort.class.getName();

    /** JUnit creates it where a {@code @LocalPort} is declared, just before the first port is asked for. */
    public LocalPortExtension() {
        PortRegistry.prepare();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext context) {
        return parameterContext.isAnnotated(LocalPort.class);
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        String declaration = describe(parameterContext.getParameter(), parameterContext.getIndex());
        LocalPort annotation = parameterContext.findAnnotation(LocalPort.class).orElseThrow();
        return valueFor(annotation, parameterContext.getParameter().getType(), declaration, PortScope.of(context));
    }

    /**
     * Sets the {@code @LocalPort} fields of the class or test before any extension's callbacks
     * run (see {@link FieldInjection}); never disables anything.
     */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        FieldInjection.beforeCallbacks(context);
        return ENABLED;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        FieldInjection.inCallback(context, true);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        FieldInjection.inCallback(context, false);
    }

    /** Checks the attributes and the type first, so that a bad declaration reserves nothing. */
    static Object valueFor(LocalPort annotation, Class<?> type, String declaration, PortScope scope) {
        LocalPortAttributes.check(annotation, declaration);
        if (LocalPortAttributes.isBlock(annotation)) {
            Function<HeldPortBlock, Object> value = LocalPortAttributes.valueOfBlockType(type, annotation, declaration);
            return value.apply(scope.heldBlockFor(LocalPortAttributes.request(annotation, declaration),
                    annotation.consecutive(), annotation.alignedTo()));
        }
        Function<HeldPort, Object> value = valueOfType(type, declaration);
        return value.apply(portFor(annotation, declaration, scope));
    }

    static HeldPort portFor(LocalPort annotation, String declaration, PortScope scope) {
        if (annotation.dead() && annotation.protocol() != Protocol.TCP) {
            throw new ExtensionConfigurationException("@LocalPort(dead = true) on " + declaration + " is for TCP only:"
                    + " a dead port refuses TCP connections, and there is no refusing for UDP. Remove the protocol.");
        }
        PortRequest request = LocalPortAttributes.request(annotation, declaration);
        HeldPort reservation = LocalPortAttributes.isByNumber(annotation)
                ? scope.fixedPortFor(request, annotation.number()) : scope.heldPortFor(request);
        if (!annotation.systemProperty().isEmpty()) {
            SystemPropertyPublication publication = SystemPropertyPublication.publish(annotation.systemProperty(),
                    reservation.reservation(), declaration, scope);
            if (publication != null) {
                scope.keep(publication, publication);
            }
        }
        return reservation;
    }

    /**
     * Asks JUnit 5.12 and later for the test's context when they resolve a constructor of a
     * per-test instance, so that constructor ports are held for the test. JUnit 5.11 does not
     * call this and passes the class's context: there such ports are held for the class.
     */
    @Override
    public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
        return ExtensionContextScope.TEST_METHOD;
    }

    static Function<HeldPort, Object> valueOfType(Class<?> type, String declaration) {
        if (type == int.class || type == Integer.class) {
            return HeldPort::number;
        }
        if (type == InetSocketAddress.class) {
            return HeldPort::address;
        }
        if (type == URI.class) {
            return reservation -> reservation.uri("http");
        }
        if (type == ReservedPort.class) {
            return reservation -> reservation;
        }
        throw new ExtensionConfigurationException(String.format(
                "Can only resolve @LocalPort of type %s, but %s is of type %s.", SUPPORTED_TYPES, declaration,
                type.getName()));
    }

    static String describe(Field field) {
        return "field " + field.getDeclaringClass().getSimpleName() + "." + field.getName();
    }

    static String describe(Parameter parameter, int index) {
        Executable executable = parameter.getDeclaringExecutable();
        String name = parameter.isNamePresent() ? "'" + parameter.getName() + "'" : "" + index;
        StringJoiner types = new StringJoiner(", ");
        for (Class<?> type : executable.getParameterTypes()) {
            types.add(type.getSimpleName());
        }
        String method = executable instanceof Constructor ? "" : "." + executable.getName();
        return "parameter " + name + " of " + executable.getDeclaringClass().getSimpleName() + method + "(" + types + ")";
    }
}
