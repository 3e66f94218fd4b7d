package dev.cotangent.autodiff;

import dev.cotangent.core.DType;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.function.Consumer;

/** libm's {@code exp}, called through Panama and given its own derivative. */
final class CExp {
    private static final MethodHandle EXP = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("exp").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_DOUBLE, ValueLayout.JAVA_DOUBLE));

    private CExp() {}

    static double exp(double x) {
        try {
            return (double) EXP.invokeExact(x);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static DifferentiableFunction<Tensor> withLog(Consumer<String> log) {
        DifferentiableFunction<Tensor> plain = x -> {
            log.accept("exp(" + x.doubleValue() + ")");
            return Tensor.scalar(DType.F64, exp(x.doubleValue()));
        };
        return Diff.withCustomDerivative(plain, x -> {
            Tensor y = plain.apply(x);
            return ValueWithPullback.of(y, v -> v.times(y));
        });
    }
}
