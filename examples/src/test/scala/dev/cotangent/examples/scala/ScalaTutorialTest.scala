package dev.cotangent.examples.scala

import dev.cotangent.autodiff.{Diff, Tangents, Tensor}
import dev.cotangent.examples.RecordMlp
import dev.cotangent.nn.{Initializers, SGD}
import dev.cotangent.scala.{ValueWithGradient, *}
import java.io.{ByteArrayOutputStream, PrintStream}
import java.nio.charset.StandardCharsets.UTF_8
import org.junit.jupiter.api.Assertions.{assertArrayEquals, assertEquals, assertTrue}
import org.junit.jupiter.api.Test

/** The Scala tutorial prints the Swift tutorial's numbers, and its networks train. */
class ScalaTutorialTest:
  private def transcript(program: PrintStream => Unit): String =
    val bytes = ByteArrayOutputStream()
    program(PrintStream(bytes, true, UTF_8))
    bytes.toString(UTF_8)

  private def losses(transcript: String, prefix: String): List[Double] =
    ("(?m)^" + java.util.regex.Pattern.quote(prefix) + "(-?\\d+\\.\\d+(?:E-?\\d+)?)$").r
      .findAllMatchIn(transcript).map(_.group(1).toDouble).toList

  private def assertFalling(losses: List[Double]): Unit =
    for ((before, after), i) <- losses.zip(losses.tail).zipWithIndex do
      assertTrue(after < before, s"loss rose at step ${i + 2}: $losses")

  @Test def sillyExpOfACFunction(): Unit =
    assertEquals(
      "Taking 𝑒(2.7182817) to the power of 3.0!\nexp(3) = 20.085535\n" +
        "Taking 𝑒(2.7182817) to the power of 3.0!\n𝛁exp(3) = 20.085535\n",
      transcript(CustomDifferentiation(_).declaringCustomDerivatives()))

  @Test def stopGradient(): Unit =
    assertEquals("(-0.18009877, 0.0)\n", transcript(CustomDifferentiation(_).stoppingDerivatives()))

  @Test def derivativeSurgery(): Unit =
    assertEquals("∂log/∂x = 0.033333335, but rewritten to 0.5\n∂+/∂sin = 1.0\n0.65425146\n",
      transcript(CustomDifferentiation(_).derivativeSurgery()))

  @Test def checkpointingRunsTheBodyTwice(): Unit =
    assertEquals("Running original computation...\n  Computing square...\nRunning backpropagation...\n" +
      "  Computing square...\nGradient = -0.9129453\n", transcript(CustomDifferentiation(_).checkpointing()))

  @Test def mlpPrintsBothDerivativesEachStepAndTheLossFalls(): Unit =
    val out = transcript(TutorialMlp(_).run())
    val ls = losses(out, "Loss: ")
    assertEquals(10, ls.size, out)
    assertFalling(ls)
    assertEquals(10, "(?m)^∂L/∂ŷ = \\[\\[".r.findAllMatchIn(out).size, out)
    assertEquals(10, "(?m)^∂L/∂layer1 = \\[\\[".r.findAllMatchIn(out).size, out)

  @Test def cnnAppliesTheConvolutionTwicePerStepAndTheLossFalls(): Unit =
    val out = transcript(TutorialCnn(_).run())
    val expected = (1 to 5).map(i =>
      s"Starting training step $i\n  Running original computation...\n    Applying Conv2D<Float> layer...\n" +
        "  Loss: LOSS\n  Running backpropagation...\n    Applying Conv2D<Float> layer...\n").mkString
    assertEquals(expected, out.replaceAll("Loss: -?\\d+\\.\\d+", "Loss: LOSS"))
    val ls = losses(out, "  Loss: ")
    assertEquals(5, ls.size)
    assertFalling(ls)

  @Test def theUserWrittenWrapperTrainsExactlyLikeTheBuiltInOne(): Unit =
    val userWritten = transcript { out =>
      Initializers.setGlobalSeed(TutorialCnn.Seed)
      val program = TutorialCnn(out)
      program.train(program.model())
    }
    val builtIn = transcript { out =>
      Initializers.setGlobalSeed(TutorialCnn.Seed)
      val program = TutorialCnn(out)
      program.train(program.builtInModel())
    }
    assertEquals(losses(userWritten, "  Loss: "), losses(builtIn, "  Loss: "))

  private def bits(t: Tensor): Array[Int] = t.toFloatArray.map(java.lang.Float.floatToRawIntBits)

  @Test def theCaseClassModelTrainsWithTheRecordTwinsGradientsExactly(): Unit =
    val x = Tensor.of(Array(Array(0f, 0f), Array(0f, 1f), Array(1f, 0f), Array(1f, 1f)))
    val y = Tensor.of(Array(0f, 1f, 1f, 0f))
    Initializers.setGlobalSeed(TutorialMlp.Seed)
    val model = MLP(log = _ => ())
    Initializers.setGlobalSeed(TutorialMlp.Seed)
    val twin = RecordMlp()
    val optimizer = SGD(model, 0.02)
    val twinOptimizer = SGD(twin, 0.02)
    val seen = List.newBuilder[Double]
    for step <- 0 until 10 do
      val ValueWithGradient(loss, gradient) = Diff.valueWithGradient(model, (m: MLP) => (m(x) - y).squared().mean())
      val ValueWithGradient(twinLoss, twinGradient) =
        Diff.valueWithGradient(twin, (m: RecordMlp) => (m(x) - y).squared().mean())
      assertEquals(java.lang.Float.floatToRawIntBits(twinLoss.floatValue), java.lang.Float.floatToRawIntBits(loss.floatValue),
        s"loss at step $step")
      val tensors = Tangents.tensors(gradient)
      val twinTensors = Tangents.tensors(twinGradient)
      assertEquals(4, tensors.size)
      for i <- 0 until 4 do assertArrayEquals(bits(twinTensors.get(i)), bits(tensors.get(i)), s"step $step")
      seen += loss.doubleValue
      optimizer.update(model, gradient)
      twinOptimizer.update(twin, twinGradient)
    assertFalling(seen.result())
