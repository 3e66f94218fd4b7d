package dev.cotangent.nn.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights moved both ways with PyTorch: its state_dict loaded here, ours loaded there, outputs within 1e-6.
 * Runs where Debian's python3-torch and the safetensors package are installed (scripts/parity installs them),
 * and is reported as skipped, with the reason, elsewhere.
 */
class TorchInteropTest {
    private static final String PYTHON = System.getProperty("cotangent.python", "/usr/bin/python3");

    @TempDir
    Path dir;

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + text);
        }
        return text;
    }

    private static boolean torchPresent() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch, safetensors.torch").redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void weightsMoveBothWaysWithPyTorch() throws Exception {
        Assumptions.assumeTrue(torchPresent(), () -> PYTHON + " lacks torch or safetensors: the PyTorch interop"
                + " check did not run (scripts/parity installs both and runs it)");
        Path peer = Path.of(System.getProperty("cotangent.peers", "scripts/bench-peers"), "torch_weights.py");
        assertTrue(Files.isRegularFile(peer), peer + " not found");
        run(PYTHON, peer.toString(), "export", dir.toString());

        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        double worst = TorchInterop.interop(dir, new PrintStream(lines, true, StandardCharsets.UTF_8));
        String ours = lines.toString(StandardCharsets.UTF_8);
        assertTrue(worst <= TorchInterop.OUTPUT_TOLERANCE, ours);
        assertEquals(4, ours.lines().filter(l -> l.startsWith("INTEROP cotangent-loads-torch")).count(), ours);

        String theirs = run(PYTHON, peer.toString(), "check", dir.toString());
        List<String> checked = new ArrayList<>(theirs.lines().filter(l -> l.startsWith("INTEROP")).toList());
        assertEquals(4, checked.size(), theirs);
        System.out.print(ours + String.join("\n", checked) + "\n");
    }
}
