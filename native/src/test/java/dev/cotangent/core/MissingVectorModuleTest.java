package dev.cotangent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A JVM started without jdk.incubator.vector gets an error naming the flag, not a bare NoClassDefFoundError. */
class MissingVectorModuleTest {

    /** Child-JVM entry point: tries an array twice and prints each failure with its causes, one per line. */
    public static final class Probe {
        public static void main(String[] args) {
            for (int attempt = 1; attempt <= 2; attempt++) {
                try {
                    System.out.println("attempt" + attempt + "=ok " + Elementwise.add(NdArray.ones(DType.F32, 3), NdArray.ones(DType.F32, 3)));
                } catch (Throwable e) {
                    StringBuilder chain = new StringBuilder();
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        chain.append(chain.isEmpty() ? "" : " <- ").append(t);
                    }
                    System.out.println("attempt" + attempt + "=" + chain);
                }
            }
        }
    }

    private static List<String> probe(String... jvmOptions) throws IOException, InterruptedException {
        return ChildJvm.run(Probe.class, List.of(jvmOptions));
    }

    @Test
    void withoutTheModuleTheFirstUseNamesTheFlagAndItsAlternatives() throws Exception {
        List<String> out = probe("--enable-native-access=ALL-UNNAMED");
        String expected = "java.lang.LinkageError: Cotangent needs the jdk.incubator.vector module, which this JVM"
                + " was started without: " + VectorModule.HOW_TO_ADD;
        assertEquals("attempt1=" + expected, out.get(0));
        String second = out.get(1);
        assertTrue(second.startsWith("attempt2=java.lang.NoClassDefFoundError: Could not initialize class"
                + " dev.cotangent.core.NdArray"), second);
        assertTrue(second.contains(expected), "later uses keep the reason: " + second);
        for (String part : new String[] {"--add-modules=jdk.incubator.vector", "JDK_JAVA_OPTIONS=", "manifest"}) {
            assertTrue(expected.contains(part), part);
        }
    }

    @Test
    void withTheModuleArraysWork() throws Exception {
        List<String> out = probe("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED");
        assertEquals(List.of("attempt1=ok [2.0, 2.0, 2.0]", "attempt2=ok [2.0, 2.0, 2.0]"), out);
    }
}
