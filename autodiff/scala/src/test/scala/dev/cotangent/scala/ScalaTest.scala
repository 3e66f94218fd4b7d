package dev.cotangent.scala

import dev.cotangent.autodiff.{Diff, Differentiable, NoDerivative, Tangents, Tensor}
import dev.cotangent.autodiff.ElementwiseOps.{sin, tanh}
import org.junit.jupiter.api.Assertions.{assertArrayEquals, assertEquals, assertSame, assertThrows, assertTrue}
import org.junit.jupiter.api.Test
import scala.jdk.CollectionConverters.*

case class Dense(w: Tensor, b: Tensor)
case class Mlp(first: Dense, second: Dense, @NoDerivative name: String)
case class Frozen(w: Tensor, @NoDerivative frozen: Tensor)

/** A Scala Differentiable whose rebuild swaps its parts: the library must notice the shapes changed. */
class Swapping(val a: Tensor, val b: Tensor) extends Differentiable[Swapping]:
  override def differentiableParts(): java.util.List[Object] = java.util.List.of(a, b)
  override def withDifferentiableParts(parts: java.util.List[Object]): Swapping =
    Swapping(parts.get(1).asInstanceOf[Tensor], parts.get(0).asInstanceOf[Tensor])

/** A class the library cannot rebuild. */
class Opaque(val w: Tensor)

class ScalaTest:
  private def t(v: Double*): Tensor = Tensor.of(v.toArray)
  private def m(rows: Int, cols: Int, v: Double*): Tensor = Tensor.of(v.toArray, rows, cols)

  @Test def operatorsReadAsMath(): Unit =
    val x = Tensor.of(Array(1f, 2f, 4f))
    val y = Tensor.of(Array(1f, 1f, 1f))
    assertArrayEquals(Array(2f, 3f, 5f), (x + y).toFloatArray)
    assertArrayEquals(Array(-1f, -2f, -4f), (-x).toFloatArray)
    assertArrayEquals(Array(2f, 4f, 8f), (x * 2.0).toFloatArray)
    assertArrayEquals(Array(2f, 4f, 8f), (2.0 * x).toFloatArray)
    assertArrayEquals(Array(2f, 4f, 8f), (2 * x).toFloatArray)
    assertArrayEquals(Array(2f, 4f, 8f), (2f * x).toFloatArray)
    assertArrayEquals(Array(0f, -1f, -3f), (1 - x).toFloatArray)
    assertArrayEquals(Array(1f, 4f, 16f), (x ** 2).toFloatArray)
    assertArrayEquals(Array(0f, 0f, 1f), (x > 2.0).toFloatArray)
    assertEquals(4.0, x(2))

  @Test def gradientsDestructure(): Unit =
    val Gradients2(dx, dy) = Diff.gradient(Tensor.scalar(2f), Tensor.scalar(3f), (a, b) => (a * b + sin(a)).sum())
    assertEquals(3 + math.cos(2.0), dx.doubleValue(), 1e-6)
    assertEquals(2.0, dy.doubleValue())
    val ValueWithPullback(y, pullback) = Diff.valueWithPullback(Tensor.scalar(0.5f), (x: Tensor) => x * x)
    assertEquals(0.25f, y.floatValue())
    assertEquals(1f, pullback(Tensor.scalar(1f)).floatValue())

  private def loss(x: Tensor, m: Mlp): Tensor =
    (tanh(x.matmul(m.first.w) + m.first.b).matmul(m.second.w) + m.second.b).squared().mean()

  @Test def caseClassesDifferentiateAndTrain(): Unit =
    val x = m(2, 2, 0.5, -1, 2, 0.25)
    var model = Mlp(Dense(m(2, 2, 1, -2, 0.5, 3), t(0.1, -0.1)), Dense(m(2, 1, 0.7, -0.3), t(0.05)), "mlp")
    val first = loss(x, model).doubleValue()
    for _ <- 1 to 20 do
      val g = Diff.gradient(model, (p: Mlp) => loss(x, p))
      assertEquals("mlp", g.name)
      assertTrue(g ne model)
      model = Tangents.move(model, Tangents.scale(g, -0.1))
    assertTrue(loss(x, model).doubleValue() < first)
    assertEquals(List("first.w", "first.b", "second.w", "second.b"), Tangents.named(model).keySet.asScala.toList)

  @Test def caseClassGradientMatchesTheHandWrittenOne(): Unit =
    val x = m(2, 2, 0.5, -1, 2, 0.25)
    val model = Mlp(Dense(m(2, 2, 1, -2, 0.5, 3), t(0.1, -0.1)), Dense(m(2, 1, 0.7, -0.3), t(0.05)), "mlp")
    val g = Diff.gradient(model, (p: Mlp) => loss(x, p))
    val list = java.util.List.of[Object](model.first.w, model.first.b, model.second.w, model.second.b)
    val gl = Diff.gradient(list, (p: java.util.List[Object]) => {
      val ts = p.asScala.map(_.asInstanceOf[Tensor]).toVector
      loss(x, Mlp(Dense(ts(0), ts(1)), Dense(ts(2), ts(3)), "mlp"))
    })
    val flat = Tangents.tensors(g).asScala.map(_.toDoubleArray.toSeq)
    val flatList = Tangents.tensors(gl).asScala.map(_.toDoubleArray.toSeq)
    assertEquals(flatList, flat)

  @Test def tuplesAndNoDerivative(): Unit =
    val g = Diff.gradient((t(2), t(3)), (p: (Tensor, Tensor)) => (p._1 * p._2).sum())
    assertEquals(3.0, g._1.doubleValue())
    assertEquals(2.0, g._2.doubleValue())
    val f = Frozen(t(2), t(7))
    val gf = Diff.gradient(f, (p: Frozen) => (p.w * p.frozen).sum())
    assertEquals(7.0, gf.w.doubleValue())
    assertEquals(0.0, gf.frozen.doubleValue())
    assertSame(f.frozen, Tangents.move(f, gf).frozen)

  @Test def aClassThatCannotBeRebuiltFailsLoudly(): Unit =
    val e = assertThrows(classOf[IllegalArgumentException], () => Diff.gradient(Opaque(t(1)), (o: Opaque) => o.w.sum()))
    assertTrue(e.getMessage.contains("Opaque") && e.getMessage.contains("field 'w'"), e.getMessage)

  @Test def layerResultsDestructure(): Unit =
    val layer = dev.cotangent.nn.Dense(m(2, 1, 0.5, -2), t(0.25), dev.cotangent.nn.Activation.IDENTITY)
    val x = m(1, 2, 3, 4)
    val AppliedLayer(y, backprop) = layer.appliedForBackpropagation(x)
    assertEquals(3 * 0.5 - 4 * 2 + 0.25, y.get(0, 0))
    val LayerGradients(dLayer, dInput) = backprop(Tensor.of(Array(1.0), 1, 1))
    assertArrayEquals(Array(3.0, 4.0), dLayer.weight.toDoubleArray)
    assertArrayEquals(Array(0.5, -2.0), dInput.toDoubleArray)

  @Test def mapsWithStringKeysDifferentiate(): Unit =
    val params = java.util.Map.of("a", t(2), "b", t(5))
    val g = Diff.gradient(params, (p: java.util.Map[String, Tensor]) => (p.get("a") * p.get("b")).sum())
    assertEquals(5.0, g.get("a").doubleValue())
    assertEquals(2.0, g.get("b").doubleValue())

  @Test def anArgumentWithoutTensorsIsAnError(): Unit =
    val e = assertThrows(classOf[IllegalArgumentException], () => Diff.gradient("not a tensor", (_: String) => Tensor.scalar(1f)))
    assertTrue(e.getMessage.contains("java.lang.String, which holds no tensors"), e.getMessage)

  @Test def aScalaDifferentiableThatRebuildsWithSwappedShapesIsCaught(): Unit =
    val s = Swapping(t(1, 2), t(3))
    val e = assertThrows(classOf[IllegalStateException], () => Diff.gradient(s, (v: Swapping) => v.a.sum() + v.b.sum()))
    assertTrue(e.getMessage.contains("Swapping.withDifferentiableParts"), e.getMessage)
