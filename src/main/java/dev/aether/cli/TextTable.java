package dev.aether.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/** Rows of cells as aligned console lines: columns two spaces apart, numbers to the right. */
final class TextTable {
  private TextTable() {}

  /** @param rightAligned which columns (by index) are numbers, aligned to the right */
  static List<String> lines(List<String[]> rows, IntPredicate rightAligned) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        String pad = " ".repeat(width[i] - row[i].length());
        line.append(i == 0 ? "" : "  ").append(rightAligned.test(i) ? pad + row[i] : row[i] + pad);
      }
      lines.add(line.toString().stripTrailing());
    }
    return lines;
  }
}
