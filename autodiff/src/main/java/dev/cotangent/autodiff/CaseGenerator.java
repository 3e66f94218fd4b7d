package dev.cotangent.autodiff;

import dev.cotangent.core.Checks;

import dev.cotangent.core.Shape;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Draws the input shapes and parameters of one call of an op of {@link Signature#CUSTOM} signature, so the
 * property suite can check an op whose call it could not otherwise guess. Values are drawn by the suite from
 * the op's domains.
 */
@FunctionalInterface
public interface CaseGenerator {
    /** One call's input shapes (one per input) and parameters. */
    Layout draw(RandomGenerator random);

    /** Input shapes and parameters of one call. */
    record Layout(List<Shape> shapes, OpParams params) {
        public Layout {
            shapes = List.copyOf(Checks.notNull(shapes, "Layout", "shapes"));
            Checks.notNull(params, "Layout", "params");
        }
    }
}
