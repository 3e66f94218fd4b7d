package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float64 blocks of {@link JavaGemm}: copies blocks of op(A) and op(B) into heap arrays and runs a
 * register-blocked Vector API micro-kernel over them (the BLIS loop order: n, k, m blocks, then tiles).
 *
 * <p>A block of A is copied in its stored orientation with whole-row bulk copies, to a fixed row pitch
 * ({@code KC} or {@code MC}); the kernel then reads it at constant strides, which lets C2 drop the bounds checks
 * from the inner loop. One kernel per orientation, because a stride passed as a variable would keep them.
 */
final class JavaDgemm {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ValueLayout.OfDouble E = ValueLayout.JAVA_DOUBLE;
    private static final long ES = Double.BYTES;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Micro-tile: MR rows by NR columns, held in 2 * MR vector registers. */
    static final int MR = 6;
    static final int NR = 2 * L;
    /** Depth of a block: an MR x KC sliver of A and a KC x NR sliver of B stay in L1/L2. */
    static final int KC = 256;
    /** Rows of A copied at once (stays in L2 while every column panel of B passes over it). */
    static final int MC = 20 * MR;
    /** Columns of B packed at once (stays in L3). */
    private static final int NC = (2048 / NR) * NR;
    /** Most elements of a whole packed B kept at once (about an L2 cache). */
    private static final long WHOLE_B = 1L << 18;

    /** Per-thread buffers: A block, B block (grown on demand), one tile, one stored row of B. */
    private static final WorkBuffers<double[][]> BUFFERS = new WorkBuffers<>(() -> new double[][] {
        new double[MC * KC], new double[0], new double[MR * NR], new double[KC]});

    private JavaDgemm() {}

    /**
     * Where the blocks of op(A) come from when A is not a stored matrix (a convolution's im2col rows, made from
     * the image as the GEMM needs them): copies op(A)[ic:ic+mc, pc:pc+kc] into {@code ap} as {@link #copyA}
     * does, row i at {@code ap[i*KC]} untransposed, depth p at {@code ap[p*MC]} transposed.
     */
    @FunctionalInterface
    interface APanels {
        void copy(boolean transA, int ic, int mc, int pc, int kc, double[] ap);
    }

    /** C[i0:i1, j0:j1] = alpha * op(A)[i0:i1, :] * op(B)[:, j0:j1] + beta * C[i0:i1, j0:j1], for k >= 1. */
    static void block(boolean transA, boolean transB, int i0, int i1, int j0, int j1, int k, double alpha,
            MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
            double beta, MemorySegment c, long cOff, int ldc) {
        block(transA, transB, i0, i1, j0, j1, k, alpha,
                (t, ic, mc, pc, kc, ap) -> copyA(t, a, aOff, lda, ic, mc, pc, kc, ap), b, bOff, ldb, beta, c, cOff,
                ldc);
    }

    /** As the other {@code block}, with op(A) copied block by block from {@code a}. */
    static void block(boolean transA, boolean transB, int i0, int i1, int j0, int j1, int k, double alpha,
            APanels a, MemorySegment b, long bOff, int ldb, double beta, MemorySegment c, long cOff, int ldc) {
        double[][] buffers = BUFFERS.acquire();
        try {
            double[] ap = buffers[0];
            double[] tile = buffers[2];
            double[] row = buffers[3];
            // A product with few columns and moderate depth packs the whole of B once and keeps each block of
            // C rows in cache across the depth blocks (A rows outer, depth inner); else the usual BLIS order.
            boolean wholeB = j1 - j0 <= NC && (long) k * roundUp(j1 - j0, NR) <= WHOLE_B;
            int need = wholeB ? k * roundUp(j1 - j0, NR) : Math.min(KC, k) * Math.min(NC, roundUp(j1 - j0, NR));
            if (buffers[1].length < need) {
                buffers[1] = new double[need];
            }
            double[] bp = buffers[1];
            long rowBytes = (long) ldc * ES;
            if (wholeB) {
                int nc = j1 - j0;
                int ncr = roundUp(nc, NR);
                for (int pc = 0; pc < k; pc += KC) {
                    packB(transB, b, bOff, ldb, pc, Math.min(KC, k - pc), j0, nc, bp, pc * ncr, row);
                }
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    for (int pc = 0; pc < k; pc += KC) {
                        int kc = Math.min(KC, k - pc);
                        a.copy(transA, ic, mc, pc, kc, ap);
                        tiles(transA, ic, mc, kc, j0, nc, ap, bp, pc * ncr, tile, alpha, pc == 0 ? beta : 1, c, cOff,
                                ldc, rowBytes);
                    }
                }
                return;
            }
            for (int jc = j0; jc < j1; jc += NC) {
                int nc = Math.min(NC, j1 - jc);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp, 0, row);
                    // Later depth blocks accumulate onto what the first one wrote.
                    double betaBlock = pc == 0 ? beta : 1.0;
                    for (int ic = i0; ic < i1; ic += MC) {
                        int mc = Math.min(MC, i1 - ic);
                        a.copy(transA, ic, mc, pc, kc, ap);
                        tiles(transA, ic, mc, kc, jc, nc, ap, bp, 0, tile, alpha, betaBlock, c, cOff, ldc, rowBytes);
                    }
                }
            }
        } finally {
            BUFFERS.release(buffers);
        }
    }

    /**
     * The micro-tiles of one packed A block (rows ic .. ic+mc) against one packed B block at {@code bo} (columns
     * jc .. jc+nc), each written back to C with {@code betaBlock}.
     */
    private static void tiles(boolean transA, int ic, int mc, int kc, int jc, int nc, double[] ap, double[] bp, int bo,
            double[] tile, double alpha, double betaBlock, MemorySegment c, long cOff, int ldc, long rowBytes) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir);
                long cb = cOff + ((long) (ic + ir) * ldc + jc + jr) * ES;
                // Rows of the last sliver past mc hold stale values; their results are never stored.
                if (transA) {
                    kernelT(kc, ap, ir, bp, bo + jr * kc, tile);
                } else {
                    kernelN(kc, ap, ir * KC, bp, bo + jr * kc, tile);
                }
                writeBack(tile, alpha, betaBlock, c, cb, rowBytes, rows, cols);
            }
        }
    }

    /** C = beta * C over an m x n block (the k == 0 or alpha == 0 case); beta == 0 writes zeros. */
    static void scale(int m, int n, double beta, MemorySegment c, long cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            long row = cOff + (long) i * ldc * ES;
            if (beta == 0) {
                c.asSlice(row, n * ES).fill((byte) 0);
            } else if (beta != 1) {
                for (int j = 0; j < n; j++) {
                    c.set(E, row + j * ES, beta * c.get(E, row + j * ES));
                }
            }
        }
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    /**
     * Copies op(A)[ic:ic+mc, pc:pc+kc] as stored: untransposed, row i to {@code ap[i*KC ...]}; transposed,
     * depth p (a stored row) to {@code ap[p*MC ...]}. Either way each copy is one contiguous run.
     */
    private static void copyA(boolean transA, MemorySegment a, long aOff, int lda, int ic, int mc, int pc, int kc,
            double[] ap) {
        if (transA) {
            long src = aOff + ((long) pc * lda + ic) * ES;
            for (int p = 0; p < kc; p++, src += (long) lda * ES) {
                MemorySegment.copy(a, E, src, ap, p * MC, mc);
            }
        } else {
            long src = aOff + ((long) ic * lda + pc) * ES;
            for (int i = 0; i < mc; i++, src += (long) lda * ES) {
                MemorySegment.copy(a, E, src, ap, i * KC, kc);
            }
        }
    }

    /**
     * Packs op(B)[pc:pc+kc, jc:jc+nc] from {@code bp[at]} on as NR-column slivers, each kc x NR, zero-padding the
     * last sliver.
     */
    private static void packB(boolean transB, MemorySegment b, long bOff, int ldb, int pc, int kc, int jc, int nc,
            double[] bp, int at, double[] row) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int base = at + jr * kc;
            if (!transB) {
                long src = bOff + ((long) pc * ldb + jc + jr) * ES;
                // Masked loads leave the padding columns of a narrow last sliver zero.
                VectorMask<Double> m0 = S.indexInRange(0, cols);
                VectorMask<Double> m1 = S.indexInRange(L, cols);
                for (int p = 0, dst = base; p < kc; p++, src += (long) ldb * ES, dst += NR) {
                    DoubleVector.fromMemorySegment(S, b, src, NATIVE, m0).intoArray(bp, dst);
                    DoubleVector.fromMemorySegment(S, b, src + L * ES, NATIVE, m1).intoArray(bp, dst + L);
                }
            } else {
                // op(B)[p, j] = B[j, p]: each stored row of B is one packed column, copied whole then spread.
                for (int j = 0; j < NR; j++) {
                    if (j < cols) {
                        MemorySegment.copy(b, E, bOff + ((long) (jc + jr + j) * ldb + pc) * ES, row, 0, kc);
                        for (int p = 0, dst = base + j; p < kc; p++, dst += NR) {
                            bp[dst] = row[p];
                        }
                    } else {
                        for (int p = 0, dst = base + j; p < kc; p++, dst += NR) {
                            bp[dst] = 0.0;
                        }
                    }
                }
            }
        }
    }

    /** One MR x NR tile over depth kc into {@code tile}, A untransposed: row r of the sliver at ao + r*KC. */
    private static void kernelN(int kc, double[] ap, int ao, double[] bp, int bo, double[] tile) {
        DoubleVector c00 = DoubleVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        DoubleVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++, bo += NR) {
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bo);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, bo + L);
            DoubleVector x = DoubleVector.broadcast(S, ap[ao + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = DoubleVector.broadcast(S, ap[ao + KC + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = DoubleVector.broadcast(S, ap[ao + 2 * KC + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = DoubleVector.broadcast(S, ap[ao + 3 * KC + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = DoubleVector.broadcast(S, ap[ao + 4 * KC + p]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = DoubleVector.broadcast(S, ap[ao + 5 * KC + p]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        // Through the tile: vectors passed to a call would have to be boxed by C2.
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
    }

    /** One MR x NR tile over depth kc into {@code tile}, A transposed: depth p of the sliver at ao + p*MC. */
    private static void kernelT(int kc, double[] ap, int ao, double[] bp, int bo, double[] tile) {
        DoubleVector c00 = DoubleVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        DoubleVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++, bo += NR) {
            int q = ao + p * MC;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bo);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, bo + L);
            DoubleVector x = DoubleVector.broadcast(S, ap[q]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = DoubleVector.broadcast(S, ap[q + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = DoubleVector.broadcast(S, ap[q + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = DoubleVector.broadcast(S, ap[q + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = DoubleVector.broadcast(S, ap[q + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = DoubleVector.broadcast(S, ap[q + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
    }

    /** C[tile] = alpha * tile + beta * C[tile] (C not read when beta == 0), vectorized for whole rows. */
    private static void writeBack(double[] tile, double alpha, double beta, MemorySegment c, long cb, long rowBytes,
            int rows, int cols) {
        for (int r = 0; r < rows; r++, cb += rowBytes) {
            int j = 0;
            for (; j + L <= cols; j += L) {
                DoubleVector v = DoubleVector.fromArray(S, tile, r * NR + j).mul(alpha);
                long at = cb + j * ES;
                if (beta != 0) {
                    v = DoubleVector.fromMemorySegment(S, c, at, NATIVE).mul(beta).add(v);
                }
                v.intoMemorySegment(c, at, NATIVE);
            }
            for (; j < cols; j++) {
                double v = alpha * tile[r * NR + j];
                long at = cb + j * ES;
                c.set(E, at, beta == 0 ? v : v + beta * c.get(E, at));
            }
        }
    }
}
