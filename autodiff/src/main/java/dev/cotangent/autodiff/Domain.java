package dev.cotangent.autodiff;

/**
 * Where an op's input may be drawn from when its derivative is checked numerically. Non-smooth points are kept
 * out: relu and abs at 0, max ties, log at 0.
 */
public enum Domain {
    /** Any moderate real value, e.g. in [-2, 2]. */
    REAL,
    /** Strictly positive, away from 0, e.g. in [0.2, 3]. */
    POSITIVE,
    /** Real with |x| >= 0.2: keeps relu, abs and division away from their kinks and poles. */
    NONZERO,
    /** Real values pairwise at least 0.05 apart, so that maxima and pooling windows have no ties. */
    DISTINCT,
    /** A 0/1 condition: not differentiated. */
    CONDITION
}
