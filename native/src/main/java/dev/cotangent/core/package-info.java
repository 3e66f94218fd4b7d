/**
 * Off-heap n-dimensional arrays, their lifetimes, and the numeric kernels (Vector API elementwise work and
 * reductions, OpenBLAS or pure-Java GEMM for matmul and convolution). No derivatives here.
 */
@NullMarked
package dev.cotangent.core;

import org.jspecify.annotations.NullMarked;
