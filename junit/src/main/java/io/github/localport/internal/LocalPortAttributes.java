package io.github.localport.internal;

import java.util.function.Function;

import io.github.localport.LocalPort;
import io.github.localport.ReservedPortBlock;
import io.github.localport.core.PortRequest;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * What a {@link LocalPort} declaration asks for, in the core's terms: its request, and whether
 * it asks for a port by number ({@code number}) or a block ({@code consecutive},
 * {@code alignedTo}). Combinations the core cannot tell apart are refused here, before anything
 * is reserved; the core checks the values themselves (a port number, a size).
 */
final class LocalPortAttributes {

    private LocalPortAttributes() {
    }

    static PortRequest request(LocalPort annotation, String declaration) {
        return new PortRequest(annotation.value(), HeldPort.transport(annotation.protocol()), declaration,
                annotation.dead());
    }

    static boolean isByNumber(LocalPort annotation) {
        return annotation.number() != 0;
    }

    static boolean isBlock(LocalPort annotation) {
        return annotation.consecutive() != 1 || annotation.alignedTo() != 1;
    }

    /** Refuses attributes that do not go together. */
    static void check(LocalPort annotation, String declaration) {
        if (isByNumber(annotation) && !annotation.value().isEmpty()) {
            throw refused(declaration, "number = " + annotation.number() + " cannot have a name as well: a port by"
                    + " number is found by its number wherever it is declared. Remove the name");
        }
        if (isByNumber(annotation) && isBlock(annotation)) {
            throw refused(declaration, "number = " + annotation.number() + " is one port, and blocks come from the"
                    + " range. Remove either number or consecutive and alignedTo");
        }
        if (isBlock(annotation) && !annotation.value().isEmpty()) {
            throw refused(declaration, "a block has no name. Declare it once in its scope (a field, or a parameter)"
                    + " and remove the name");
        }
        if (isBlock(annotation) && !annotation.systemProperty().isEmpty()) {
            throw refused(declaration, "systemProperty publishes one port, not a block. Remove systemProperty and"
                    + " set the property from the block's ports");
        }
    }

    /** How a block is injected into a declaration of this type; fails for an unsupported type. */
    static Function<HeldPortBlock, Object> valueOfBlockType(Class<?> type, LocalPort annotation, String declaration) {
        if (type == int[].class) {
            return HeldPortBlock::numbers;
        }
        if (type == ReservedPortBlock.class) {
            return block -> block;
        }
        if (annotation.consecutive() == 1) {
            Function<HeldPort, Object> single = LocalPortExtension.valueOfType(type, declaration);
            return block -> single.apply(block.heldPort(0));
        }
        throw new ExtensionConfigurationException(String.format(
                "Can only resolve @LocalPort(consecutive = %d) of type int[] or %s, but %s is of type %s.",
                annotation.consecutive(), ReservedPortBlock.class.getName(), declaration, type.getName()));
    }

    private static ExtensionConfigurationException refused(String declaration, String why) {
        return new ExtensionConfigurationException("@LocalPort on " + declaration + ": " + why + ".");
    }
}
