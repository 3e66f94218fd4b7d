package dev.cotangent.core;

/**
 * The check that the JVM was started with {@code jdk.incubator.vector}, which every kernel is written with.
 *
 * <p>Why: an incubator module is never resolved unless the command line asks for it, and without it the first
 * kernel dies deep inside the library with a bare {@code NoClassDefFoundError: jdk/incubator/vector/Vector}
 * that says nothing of the fix. {@link NdArray}, which every computation touches first, checks once when it is
 * loaded and fails with the flag and its alternatives instead.
 */
final class VectorModule {
    private VectorModule() {}

    static final String NAME = "jdk.incubator.vector";

    /** What to do when the module is missing; the same text in every message and in the README. */
    static final String HOW_TO_ADD = "start java with --add-modules=" + NAME
            + " (with --enable-native-access=ALL-UNNAMED for OpenBLAS), or set the environment variable"
            + " JDK_JAVA_OPTIONS=--add-modules=" + NAME + " for every JVM started in that environment."
            + " An executable jar cannot add it from its manifest (there is no Add-Modules attribute; only"
            + " Enable-Native-Access: ALL-UNNAMED is one), so keep the flag on the java command line or in"
            + " JDK_JAVA_OPTIONS; under Maven or Gradle put it in the test and run JVM arguments"
            + " (surefire argLine, exec or application jvmArgs)";

    /** Throws when the module is missing from the boot layer; called from NdArray's static initializer. */
    static void requirePresent() {
        if (ModuleLayer.boot().findModule(NAME).isEmpty()) {
            // A LinkageError, not an exception: thrown from a static initializer it reaches the caller as it is,
            // where an exception would arrive wrapped in ExceptionInInitializerError.
            throw new LinkageError("Cotangent needs the " + NAME + " module, which this JVM was started without: "
                    + HOW_TO_ADD);
        }
    }
}
