package dev.cotangent.examples.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The curves of one training run, recorded as it goes and drawn with XChart: loss against epochs (training loss
 * per window of steps, test loss per epoch) beside accuracy (training accuracy per window, test accuracy per
 * epoch).
 */
final class Curves {
    private final List<Double> trainAt = new ArrayList<>();
    private final List<Double> trainLoss = new ArrayList<>();
    private final List<Double> trainAccuracy = new ArrayList<>();
    private final List<Double> testAt = new ArrayList<>();
    private final List<Double> testLoss = new ArrayList<>();
    private final List<Double> testAccuracy = new ArrayList<>();

    /** The mean loss and accuracy of the training steps that ended at {@code epochs} (fractional). */
    void addTraining(double epochs, double loss, double accuracy) {
        trainAt.add(epochs);
        trainLoss.add(loss);
        trainAccuracy.add(accuracy);
    }

    /** The test loss and accuracy after {@code epochs} whole epochs. */
    void addTest(double epochs, double loss, double accuracy) {
        testAt.add(epochs);
        testLoss.add(loss);
        testAccuracy.add(accuracy);
    }

    /** Writes both charts side by side to {@code file} as a PNG. */
    void writePng(Path file, String title) {
        XYChart loss = chart(title + ": loss", "loss", Styler.LegendPosition.InsideNE);
        loss.addSeries("training", trainAt, trainLoss).setMarker(SeriesMarkers.NONE);
        loss.addSeries("test", testAt, testLoss).setMarker(SeriesMarkers.CIRCLE);
        XYChart accuracy = chart(title + ": accuracy", "accuracy", Styler.LegendPosition.InsideSE);
        accuracy.addSeries("training", trainAt, trainAccuracy).setMarker(SeriesMarkers.NONE);
        accuracy.addSeries("test", testAt, testAccuracy).setMarker(SeriesMarkers.CIRCLE);
        try {
            BitmapEncoder.saveBitmap(List.of(loss, accuracy), 1, 2, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("curves: cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static XYChart chart(String title, String yTitle, Styler.LegendPosition legend) {
        XYChart chart = new XYChartBuilder().width(560).height(360).title(title).xAxisTitle("epoch").yAxisTitle(yTitle)
                .build();
        chart.getStyler().setLegendPosition(legend);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        return chart;
    }
}
