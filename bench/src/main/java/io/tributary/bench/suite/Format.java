package io.tributary.bench.suite;

import java.math.BigDecimal;
import java.util.Locale;

/** Number formatting for the markdown: missing values are "—". */
final class Format {

  static final String MISSING = "—";

  private Format() {
  }

  /** 123,456 above 1000; three significant digits below (12.3, 1.23, 0.123). */
  static String number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return MISSING;
    }
    double a = Math.abs(v);
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 100 || a == 0) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /** Counts: 1,234. */
  static String count(double v) {
    return Double.isNaN(v) ? MISSING : String.format(Locale.ROOT, "%,.0f", v);
  }

  /** A measured ratio, two decimals: 1.54×, 0.80×. */
  static String ratio(double r) {
    if (Double.isNaN(r) || Double.isInfinite(r)) {
      return MISSING;
    }
    return String.format(Locale.ROOT, "%.2f×", r);
  }

  /** A threshold as written, without trailing zeros: 1.5, 0.75, 2, 16. */
  static String plain(double v) {
    BigDecimal d = BigDecimal.valueOf(v).stripTrailingZeros();
    if (d.scale() < 0) {
      d = d.setScale(0);
    }
    return d.toPlainString();
  }

  /** 48%, 4.5%. */
  static String percent(double p) {
    if (Double.isNaN(p)) {
      return MISSING;
    }
    return String.format(Locale.ROOT, p >= 10 ? "%.0f%%" : "%.1f%%", p);
  }

  /** KiB as MiB: 123 MiB, 45.6 MiB. */
  static String mib(double kib) {
    return Double.isNaN(kib) ? MISSING : number(kib / 1024) + " MiB";
  }

  /** Seconds without trailing zeros: 5 s, 0.5 s. */
  static String seconds(double s) {
    return plain(s) + " s";
  }

  /** A cell: pipes escaped, newlines folded. */
  static String cell(String s) {
    return s.replace("|", "\\|").replace("\r", "").replace("\n", " ");
  }
}
