package dev.cotangent.examples.train;

import java.io.PrintStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress of one epoch: a live bar (samples/s, running loss, ETA) on a terminal, plain lines every tenth
 * of the epoch otherwise, so logs and pipes get no escape codes.
 */
interface Progress extends AutoCloseable {
    /** {@code samples} more were trained on; {@code runningLoss} is the mean loss of the recent steps. */
    void advance(long samples, double runningLoss);

    @Override
    void close();

    /** A bar when {@code out} is the terminal, else plain lines. */
    static Progress start(PrintStream out, boolean terminal, String task, long total) {
        return terminal ? new Bar(out, task, total) : new Lines(out, task, total);
    }

    /** Whether standard output is an interactive terminal (not a file or a pipe). */
    static boolean stdoutIsTerminal() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    /** The live bar of {@code me.tongfei:progressbar}. */
    final class Bar implements Progress {
        private final ProgressBar bar;

        Bar(PrintStream out, String task, long total) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" samples", 1).showSpeed()
                    .setSpeedUnit(ChronoUnit.SECONDS).setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUpdateIntervalMillis(250).setConsumer(new ConsoleProgressBarConsumer(out)).build();
        }

        @Override
        public void advance(long samples, double runningLoss) {
            bar.stepBy(samples);
            bar.setExtraMessage(String.format("loss %.4f", runningLoss));
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    /** One line per tenth of the epoch, with the same figures as the bar. */
    final class Lines implements Progress {
        private final PrintStream out;
        private final String task;
        private final long total;
        private final long startNanos = System.nanoTime();
        private long done;
        private int tenthsShown;

        Lines(PrintStream out, String task, long total) {
            this.out = out;
            this.task = task;
            this.total = total;
        }

        @Override
        public void advance(long samples, double runningLoss) {
            done += samples;
            int tenths = (int) (10 * done / Math.max(1, total));
            if (tenths > tenthsShown) {
                tenthsShown = tenths;
                double seconds = (System.nanoTime() - startNanos) / 1e9;
                double rate = done / Math.max(seconds, 1e-9);
                Duration eta = Duration.ofMillis((long) (1000 * (total - done) / Math.max(rate, 1e-9)));
                out.printf("%s %3d%% %d/%d samples, %.0f samples/s, loss %.4f, ETA %d:%02d%n", task, 10 * tenths, done,
                        total, rate, runningLoss, eta.toMinutes(), eta.toSecondsPart());
            }
        }

        @Override
        public void close() {}
    }
}
