package io.ticksink.tools;

import java.math.BigDecimal;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Which price of a tick a bar is built from ({@code --price}). Bars compare ticks by
 * {@link #key}, a value in the same order as the price, and print {@link #value}. Thread safe.
 */
enum BarPrice {
    BID, ASK,
    /**
     * (bid + ask) / 2, computed on the decimal values that {@code query} prints and rounded once
     * to the nearest double: the mid of 1.1 and 1.2 is 1.15, not the 1.1500000000000001 that
     * double arithmetic gives.
     */
    MID;

    private static final BigDecimal HALF = new BigDecimal("0.5");

    static BarPrice parse(CommandSpec spec, String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--price must be bid, ask or mid, not '" + value + "'");
        }
    }

    /** Orders ticks as the price does; for {@link #MID} the sum bid + ask, whose rounding keeps the order. */
    double key(double bid, double ask) {
        return switch (this) {
            case BID -> bid;
            case ASK -> ask;
            case MID -> bid + ask;
        };
    }

    /** The price printed for a tick. */
    double value(double bid, double ask) {
        return switch (this) {
            case BID -> bid;
            case ASK -> ask;
            case MID -> BigDecimal.valueOf(bid).add(BigDecimal.valueOf(ask)).multiply(HALF).doubleValue();
        };
    }
}
