package dev.aether.bench;

import dev.aether.core.sim.StrategySummary;
import java.util.List;
import java.util.Locale;

/**
 * Median total cost against median time to finish, one numbered point per strategy with its
 * p10-p90 range as bars, as plain SVG text written from the data (no charting library is vetted
 * in STACK.md, and this is a few dozen elements).
 */
final class SimulateChart {
  private static final int W = 960;
  private static final int H = 560;
  private static final int LEFT = 90;
  private static final int TOP = 50;
  private static final int PLOT_W = 520;
  private static final int PLOT_H = 420;

  private SimulateChart() {}

  static String svg(String title, List<StrategySummary> rows) {
    double xMin = Double.MAX_VALUE;
    double xMax = 0;
    double yMax = 0;
    for (StrategySummary s : rows) {
      xMin = Math.min(xMin, s.hours().p10());
      xMax = Math.max(xMax, s.hours().p90());
      yMax = Math.max(yMax, s.cost().p90());
    }
    double x0 = Math.floor(xMin * 0.95 / 10) * 10;
    double x1 = Math.ceil(xMax * 1.05 / 10) * 10;
    double y1 = niceCeil(yMax * 1.08);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
        + " height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
        W, H, W, H));
    b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    b.append(text(LEFT, 24, 14, "start", "Total cost vs time to finish, median and p10-p90 over the runs"));
    b.append(text(LEFT, 40, 11, "start", esc(title)));
    b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
        + " fill=\"none\" stroke=\"#444\"/>%n", LEFT, TOP, PLOT_W, PLOT_H));
    for (int i = 0; i <= 5; i++) {
      double yv = y1 * i / 5;
      double yy = TOP + PLOT_H - PLOT_H * i / 5.0;
      b.append(line(LEFT - 4, yy, LEFT + PLOT_W, yy, "#ddd"));
      b.append(text(LEFT - 8, yy + 4, 11, "end", String.format(Locale.ROOT, "$%,.0f", yv)));
      double xv = x0 + (x1 - x0) * i / 5;
      double xx = LEFT + PLOT_W * i / 5.0;
      b.append(line(xx, TOP, xx, TOP + PLOT_H + 4, "#ddd"));
      b.append(text(xx, TOP + PLOT_H + 18, 11, "middle", String.format(Locale.ROOT, "%.0f", xv)));
    }
    b.append(text(LEFT + PLOT_W / 2.0, TOP + PLOT_H + 38, 12, "middle", "hours to finish"));
    b.append(String.format(Locale.ROOT, "<text x=\"20\" y=\"%d\" transform=\"rotate(-90 20 %d)\""
        + " text-anchor=\"middle\">total $</text>%n", TOP + PLOT_H / 2, TOP + PLOT_H / 2));
    String[] colours = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
        "#a6761d", "#666666", "#1f78b4", "#b2182b", "#4d4d4d"};
    for (int i = 0; i < rows.size(); i++) {
      StrategySummary s = rows.get(i);
      String c = colours[i % colours.length];
      double px = LEFT + PLOT_W * (s.hours().median() - x0) / (x1 - x0);
      double py = TOP + PLOT_H - PLOT_H * s.cost().median() / y1;
      double xa = LEFT + PLOT_W * (s.hours().p10() - x0) / (x1 - x0);
      double xb = LEFT + PLOT_W * (s.hours().p90() - x0) / (x1 - x0);
      double ya = TOP + PLOT_H - PLOT_H * s.cost().p10() / y1;
      double yb = TOP + PLOT_H - PLOT_H * s.cost().p90() / y1;
      b.append(line(xa, py, xb, py, c));
      b.append(line(px, ya, px, yb, c));
      b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>%n",
          px, py, c));
      b.append(text(px + 7, py - 6, 11, "start", Integer.toString(i + 1)));
      double ly = TOP + 10 + i * 34;
      b.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>%n",
          LEFT + PLOT_W + 30, ly, c));
      b.append(text(LEFT + PLOT_W + 42, ly + 4, 12, "start", (i + 1) + ". " + esc(s.strategy())));
      b.append(text(LEFT + PLOT_W + 42, ly + 18, 10, "start", String.format(Locale.ROOT,
          "$%,.0f (%,.0f-%,.0f), %.0f h (%.0f-%.0f)", s.cost().median(), s.cost().p10(),
          s.cost().p90(), s.hours().median(), s.hours().p10(), s.hours().p90())));
    }
    b.append("</svg>\n");
    return b.toString();
  }

  private static double niceCeil(double v) {
    double step = Math.pow(10, Math.floor(Math.log10(v)));
    return Math.ceil(v / step) * step;
  }

  private static String line(double x1, double y1, double x2, double y2, String colour) {
    return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
        + " stroke=\"%s\" stroke-width=\"1.5\"/>%n", x1, y1, x2, y2, colour);
  }

  private static String text(double x, double y, int size, String anchor, String s) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\""
        + " text-anchor=\"%s\">%s</text>%n", x, y, size, anchor, s);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
