package dev.cotangent.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cotangent.core.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An op made of others names itself before the inner op that failed. */
class OpDefinitionErrorsTest {
    private static final Tensor X = Tensor.ones(DType.F32, 2);

    @Test
    void anInnerOpsErrorIsPrefixedWithTheOpsName() {
        OpDefinition scaled = new OpDefinition("twiceSum", Signature.UNARY, List.of(Domain.REAL), true,
                (in, p) -> in.get(0).plus(Tensor.ones(DType.F32, 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scaled.apply(List.of(X),
                OpParams.NONE));
        assertEquals("twiceSum: ", e.getMessage().substring(0, "twiceSum: ".length()));
        assertEquals(e.getMessage(), "twiceSum: " + e.getCause().getMessage());
    }

    @Test
    void anErrorNamingTheOpAlreadyPassesUnchanged() {
        IllegalStateException thrown = new IllegalStateException("own: closed");
        OpDefinition own = new OpDefinition("own", Signature.UNARY, List.of(Domain.REAL), true, (in, p) -> {
            throw thrown;
        });
        assertSame(thrown, assertThrows(IllegalStateException.class, () -> own.apply(List.of(X), OpParams.NONE)));
        OpDefinition longer = new OpDefinition("ow", Signature.UNARY, List.of(Domain.REAL), true, (in, p) -> {
            throw thrown;
        });
        assertEquals("ow: own: closed", assertThrows(IllegalStateException.class,
                () -> longer.apply(List.of(X), OpParams.NONE)).getMessage());
    }
}
