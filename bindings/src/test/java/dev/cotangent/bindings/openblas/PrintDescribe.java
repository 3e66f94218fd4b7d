package dev.cotangent.bindings.openblas;

/** Child-JVM entry point for {@link FreshJvmTest}: prints what a fresh JVM sees. */
public final class PrintDescribe {
    public static void main(String[] args) {
        System.out.println(OpenBlas.describe());
        System.out.println("available=" + OpenBlas.isAvailable());
        try {
            OpenBlas.setThreads(1);
            System.out.println("setThreads=ok");
        } catch (IllegalStateException e) {
            System.out.println("setThreads=" + e.getClass().getSimpleName());
        }
    }
}
