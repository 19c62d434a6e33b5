package io.runnel.batch.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** The search for refused rows and the reasons it records; the SQL side is in WarehouseLoadIT. */
class RowIsolationTest {
  /** A stand-in for PostgreSQL: refuses a range holding any of {@code bad}; counts its probes. */
  private static final class FakeTable implements RowIsolation.Probe {
    final Set<Long> bad;
    final List<String> probes = new ArrayList<>();

    FakeTable(Long... bad) {
      this.bad = new TreeSet<>(List.of(bad));
    }

    @Override
    public SQLException tryRows(long first, long last) {
      probes.add(first + "-" + last);
      for (long b : bad) {
        if (b >= first && b <= last) {
          return new SQLException("row " + b + " refused", "23514");
        }
      }
      return null;
    }
  }

  @Test
  void aTableThatTakesEveryRowCostsOneProbeAndNoneWhenEmpty() throws SQLException {
    FakeTable table = new FakeTable();
    assertThat(RowIsolation.refused(100_000, table)).isEmpty();
    assertThat(table.probes).containsExactly("1-100000");
    assertThat(RowIsolation.refused(0, table)).isEmpty();
    assertThat(table.probes).hasSize(1);
  }

  @Test
  void bisectionFindsEachRefusedRowWithItsOwnReasonInLogarithmicProbes() throws SQLException {
    FakeTable one = new FakeTable(77_777L);
    assertThat(RowIsolation.refused(100_000, one))
        .containsExactly(new RowIsolation.Refusal(77_777, "23514: row 77777 refused"));
    // Two probes per halving (each half is tried), about 2 log2(100,000) = 34.
    assertThat(one.probes.size()).isLessThanOrEqualTo(2 * 17 + 1);

    FakeTable several = new FakeTable(1L, 2L, 500L, 1_000L);
    assertThat(RowIsolation.refused(1_000, several))
        .extracting(RowIsolation.Refusal::row)
        .containsExactly(1L, 2L, 500L, 1_000L);

    FakeTable all = new FakeTable(1L, 2L, 3L);
    assertThat(RowIsolation.refused(3, all)).hasSize(3);
  }

  @Test
  void anErrorThatIsNotARowsStopsTheSearch() {
    RowIsolation.Probe lost =
        (first, last) -> {
          throw new SQLException("connection lost", "08006");
        };
    assertThatThrownBy(() -> RowIsolation.refused(10, lost)).hasMessage("connection lost");
  }

  @Test
  void dataExceptionsAndConstraintViolationsAreRefusedRowsAKeyInAPlainInsertIsNot() {
    assertThat(RowIsolation.refusesRows(new SQLException("check", "23514"), false)).isTrue();
    assertThat(RowIsolation.refusesRows(new SQLException("not null", "23502"), false)).isTrue();
    assertThat(RowIsolation.refusesRows(new SQLException("too long", "22001"), false)).isTrue();
    assertThat(RowIsolation.refusesRows(new SQLException("unique", "23505"), true)).isTrue();
    assertThat(RowIsolation.refusesRows(new SQLException("unique", "23505"), false)).isFalse();
    assertThat(RowIsolation.refusesRows(new SQLException("denied", "42501"), true)).isFalse();
    assertThat(RowIsolation.refusesRows(new SQLException("cancelled", "57014"), true)).isFalse();
    assertThat(RowIsolation.refusesRows(new SQLException("no state"), true)).isFalse();
  }

  @Test
  void aReasonIsTheSqlStateAndPostgresPrimaryMessageOnOneLine() {
    PSQLException check =
        new PSQLException(
            new ServerErrorMessage(
                "SERROR\0C23514\0Mnew row for relation \"events\" violates check constraint"
                    + " \"refuse_me\"\0DFailing row contains (a, b).\0"));
    assertThat(RowIsolation.reason(check))
        .isEqualTo(
            "23514: new row for relation \"events\" violates check constraint \"refuse_me\"");
    assertThat(RowIsolation.reason("22001", "value too long\n  for type\tcharacter(3) "))
        .isEqualTo("22001: value too long for type character(3)");
    String longest = RowIsolation.reason("23514", "x".repeat(5_000));
    assertThat(longest).hasSize(RowIsolation.MAX_REASON).endsWith("x…");
    assertThat(RowIsolation.reason(new SQLException("plain JDBC", "08006")))
        .isEqualTo("08006: plain JDBC");
  }
}
