package dev.cotangent.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A running {@code torch_peer.py serve} (or another peer speaking its protocol, such as the DJL peer): asked
 * for an op by name, it runs it once and answers with the nanoseconds it took. A benchmark fork runs its own op and the torch op back to back through this, so both
 * sides are timed under the same load.
 */
final class TorchPeer implements AutoCloseable {
    /** Steps of the tape-overhead chain, on both sides. */
    static final int TAPE_STEPS = 1000;

    private final Process process;
    private final BufferedWriter requests;
    private final BufferedReader answers;

    private TorchPeer(Process process) {
        this.process = process;
        this.requests = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Starts the peer with torch using {@code threads} threads, or returns null (saying why on stderr, which
     * lands in the JMH log) when it cannot run, so that our side is still measured.
     */
    static TorchPeer startOrNull(int threads) {
        return startOrNull("torch", () -> Peer.processBuilder("serve", "--threads", String.valueOf(threads),
                "--steps", String.valueOf(TAPE_STEPS)));
    }

    /**
     * Starts a peer process speaking the same protocol (READY, then one answer in nanoseconds per op name),
     * or returns null saying why on stderr.
     */
    static TorchPeer startOrNull(String who, java.util.function.Supplier<ProcessBuilder> command) {
        try {
            Process p = command.get().redirectError(ProcessBuilder.Redirect.INHERIT).start();
            TorchPeer peer = new TorchPeer(p);
            String ready = peer.answers.readLine();
            if (!"READY".equals(ready)) {
                System.err.println("bench: " + who + " peer did not start (said " + ready + "); " + who
                        + " side not measured");
                peer.close();
                return null;
            }
            return peer;
        } catch (IOException | RuntimeException e) {
            System.err.println("bench: " + who + " peer not started: " + e.getMessage() + "; " + who
                    + " side not measured");
            return null;
        }
    }

    /** Runs {@code op} once in torch and returns the nanoseconds torch measured around the call. */
    long run(String op) {
        try {
            requests.write(op);
            requests.newLine();
            requests.flush();
            String answer = answers.readLine();
            if (answer == null) {
                throw new IllegalStateException("bench: torch peer ended while running " + op);
            }
            return Long.parseLong(answer.trim());
        } catch (IOException e) {
            throw new UncheckedIOException("bench: torch peer failed running " + op, e);
        }
    }

    @Override
    public void close() {
        try {
            requests.write("quit");
            requests.newLine();
            requests.flush();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
