package io.runnel.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {
  @Test
  void fallsBackOnlyWhenUnsetOrBlank() {
    Env env = Env.of(Map.of("A", "  x ", "B", "  "));
    assertThat(env.string("A", "d")).isEqualTo("x");
    assertThat(env.string("B", "d")).isEqualTo("d");
    assertThat(env.string("C", "d")).isEqualTo("d");
  }

  @Test
  void missingRequiredVariableIsNamed() {
    assertThatThrownBy(() -> Env.of(Map.of()).required("RUNNEL_X"))
        .isInstanceOf(SettingsException.class)
        .hasMessage("RUNNEL_X is not set");
  }

  @Test
  void integersAreParsedAndBounded() {
    Env env = Env.of(Map.of("N", "12", "BAD", "twelve", "BIG", "70000"));
    assertThat(env.integer("N", 1, 0, 100)).isEqualTo(12);
    assertThat(env.integer("UNSET", 7, 0, 100)).isEqualTo(7);
    assertThatThrownBy(() -> env.integer("BAD", 1, 0, 100))
        .hasMessage("BAD must be an integer, got 'twelve'");
    assertThatThrownBy(() -> env.port("BIG", 1))
        .hasMessage("BIG must be between 1 and 65535, got '70000'");
  }

  @Test
  void booleansAcceptTheUsualSpellingsOnly() {
    Env env = Env.of(Map.of("T", "YES", "F", "0", "X", "maybe"));
    assertThat(env.bool("T", false)).isTrue();
    assertThat(env.bool("F", true)).isFalse();
    assertThatThrownBy(() -> env.bool("X", true))
        .hasMessage("X must be true or false, got 'maybe'");
  }

  @Test
  void urlsMustBeHttpWithAHost() {
    Env env = Env.of(Map.of("OK", "https://s3.example:9000", "FTP", "ftp://h", "JUNK", "::"));
    assertThat(env.httpUrl("OK", null).getPort()).isEqualTo(9000);
    assertThatThrownBy(() -> env.httpUrl("FTP", null))
        .hasMessageStartingWith("FTP must be an http");
    assertThatThrownBy(() -> env.httpUrl("JUNK", null))
        .hasMessageStartingWith("JUNK must be an http");
    assertThatThrownBy(() -> env.httpUrl("UNSET", null)).hasMessage("UNSET is not set");
  }

  @Test
  void identifiersThatCouldInjectSqlAreRefused() {
    Env env =
        Env.of(
            Map.of("GOOD", "runnel_2", "QUOTE", "runnel\"; drop table x; --", "UPPER", "Runnel"));
    assertThat(env.identifier("GOOD", null)).isEqualTo("runnel_2");
    assertThatThrownBy(() -> env.identifier("QUOTE", null))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("QUOTE must be a lower-case identifier");
    assertThatThrownBy(() -> env.identifier("UPPER", null)).isInstanceOf(SettingsException.class);
  }

  @Test
  void bucketNamesFollowS3Rules() {
    Env env = Env.of(Map.of("B", "my-lake.1", "BAD", "My_Lake"));
    assertThat(env.bucket("B", null)).isEqualTo("my-lake.1");
    assertThatThrownBy(() -> env.bucket("BAD", null))
        .hasMessageStartingWith("BAD must be an S3 bucket name");
  }

  @Test
  void hostPortListsAreChecked() {
    Env env = Env.of(Map.of("K", "a:1,b.example:9092", "NOPORT", "broker", "ZERO", "a:0"));
    assertThat(env.hostPorts("K", null)).isEqualTo("a:1,b.example:9092");
    assertThatThrownBy(() -> env.hostPorts("NOPORT", null)).hasMessageContaining("host:port");
    assertThatThrownBy(() -> env.hostPorts("ZERO", null)).hasMessageContaining("host:port");
  }

  @Test
  void lakePathsStayInsideTheBucket() {
    Env env = Env.of(Map.of("OK", "bronze/events", "UP", "../x", "ROOT", "/etc", "ODD", "a b"));
    assertThat(env.lakePath("OK", null)).isEqualTo("bronze/events");
    assertThat(env.lakePath("UNSET", "d/e")).isEqualTo("d/e");
    for (String bad : new String[] {"UP", "ROOT", "ODD"}) {
      assertThatThrownBy(() -> env.lakePath(bad, null))
          .isInstanceOf(SettingsException.class)
          .hasMessageStartingWith(bad + " must be a relative path inside the bucket");
    }
  }

  @Test
  void instantsNeedAZoneAndALowerBound() {
    java.time.Instant min = java.time.Instant.parse("1900-01-01T00:00:00Z");
    Env env =
        Env.of(
            Map.of(
                "OK",
                "2001-02-03T04:05:06+01:00",
                "NOZONE",
                "2001-02-03T04:05",
                "OLD",
                "1800-01-01T00:00:00Z"));
    assertThat(env.instant("OK", null, min))
        .isEqualTo(java.time.Instant.parse("2001-02-03T03:05:06Z"));
    assertThat(env.instant("UNSET", min, min)).isEqualTo(min);
    assertThatThrownBy(() -> env.instant("NOZONE", null, min))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("NOZONE must be a date-time with a zone");
    assertThatThrownBy(() -> env.instant("OLD", null, min))
        .hasMessageStartingWith("OLD must be not before 1900-01-01T00:00:00Z");
  }
}
