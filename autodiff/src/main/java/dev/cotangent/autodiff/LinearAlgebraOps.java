package dev.cotangent.autodiff;

import static dev.cotangent.autodiff.Domain.REAL;
import static dev.cotangent.autodiff.Tensor.input;

import dev.cotangent.core.LinearAlgebra;
import java.util.List;

/** Matrix products (GEMM through OpenBLAS or the Java backend), batched and with transposed operands. */
public final class LinearAlgebraOps {
    private LinearAlgebraOps() {}

    static void register(OpRegistry r) {
        r.add("matmul", Signature.MATMUL, List.of(REAL, REAL), (in, p) -> {
            OpParams.Matmul m = (OpParams.Matmul) p;
            return matmul(in.get(0), in.get(1), m.transposeA(), m.transposeB());
        });
    }

    /** {@code a · b} over the last two axes, batch axes broadcast. */
    public static Tensor matmul(Tensor a, Tensor b) {
        return matmul(a, b, false, false);
    }

    /** {@code op(a) · op(b)}, where op transposes the last two axes when asked. */
    public static Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
        var out = LinearAlgebra.matmul(input(a, "matmul", "a"), input(b, "matmul", "b"), transposeA, transposeB);
        return Tensor.record("matmul", out, a, b, (g, z, need) -> new Tensor[] {
            need[0] ? ElementwiseOps.unbroadcast(transposeA
                    ? matmul(b, g, transposeB, true) // da = op(b) gᵀ
                    : matmul(g, b, false, !transposeB), a) : null, // da = g op(b)ᵀ
            need[1] ? ElementwiseOps.unbroadcast(transposeB
                    ? matmul(g, a, true, transposeA) // db = gᵀ op(a)
                    : matmul(a, g, !transposeA, false), b) : null}); // db = op(a)ᵀ g
    }
}
