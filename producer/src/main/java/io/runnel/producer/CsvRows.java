package io.runnel.producer;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows of a CSV file (RFC 4180: quoted fields, embedded commas, quotes and newlines), parsed by
 * Jackson's CSV parser, each with the line it starts on. An unquoted empty field is null; a quoted
 * empty one ({@code ""}) is the empty string. Blank lines are skipped. Input must be UTF-8: other
 * bytes are an error, never silently replaced.
 */
final class CsvRows implements AutoCloseable {
  private static final CsvMapper MAPPER = new CsvMapper();

  /** One data row: the line it starts on (1 = the header line) and its fields. */
  record Row(long line, List<String> fields) {}

  private final CsvParser parser;
  private final List<String> header;
  private boolean broken;

  CsvRows(InputStream in) throws IOException, MalformedRowException {
    this.parser = (CsvParser) MAPPER.getFactory().createParser(new Utf8Reader(in));
    parser.setSchema(CsvSchema.emptySchema());
    parser.enable(CsvParser.Feature.EMPTY_UNQUOTED_STRING_AS_NULL);
    parser.enable(CsvParser.Feature.SKIP_EMPTY_LINES);
    Row first;
    try {
      first = next();
    } catch (MalformedRowException e) {
      throw new MalformedRowException(e.line(), "the header row is unreadable: " + e.reason());
    }
    if (first == null) {
      throw new MalformedRowException(1, "the file is empty: a header row is needed");
    }
    List<String> names = new ArrayList<>(first.fields());
    if (!names.isEmpty() && names.get(0) != null && names.get(0).startsWith("\uFEFF")) {
      // A byte-order mark some spreadsheet programs write.
      names.set(0, names.get(0).substring(1));
    }
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name == null || name.isBlank() || names.indexOf(name) != i) {
        throw new MalformedRowException(
            first.line(), "header column " + (i + 1) + " is empty or repeated: '" + name + "'");
      }
    }
    this.header = List.copyOf(names);
  }

  List<String> header() {
    return header;
  }

  /**
   * The next row, or null at the end.
   *
   * @throws MalformedRowException for a row that is not CSV or whose field count differs from the
   *     header's; after a parse error (an unterminated quote, bytes that are not UTF-8) the rest of
   *     the file cannot be read and the next call returns null
   */
  Row next() throws MalformedRowException {
    Row row;
    do {
      row = readRow();
    } while (row == BLANK);
    return row;
  }

  private static final Row BLANK = new Row(0, List.of());

  private Row readRow() throws MalformedRowException {
    if (broken) {
      return null;
    }
    long line = parser.currentLocation().getLineNr();
    try {
      JsonToken token = parser.nextToken();
      if (token == null) {
        return null;
      }
      line = parser.currentLocation().getLineNr();
      List<String> fields = new ArrayList<>(header == null ? 8 : header.size());
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
        if (token == null) {
          throw new MalformedRowException(line, "the file ends inside this row");
        }
        fields.add(token == JsonToken.VALUE_NULL ? null : parser.getText());
      }
      if (header != null && fields.size() == 1 && fields.get(0) == null && header.size() > 1) {
        return BLANK;
      }
      if (header != null && fields.size() != header.size()) {
        throw new MalformedRowException(
            line, "has " + fields.size() + " fields, the header has " + header.size());
      }
      return new Row(line, fields);
    } catch (CharacterCodingException e) {
      broken = true;
      throw new MalformedRowException(
          line, "bytes that are not UTF-8 (the rest of the file cannot be read)");
    } catch (IOException e) {
      broken = true;
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      // Jackson appends the source location on further lines; the line number says it better.
      int newline = reason.indexOf('\n');
      throw new MalformedRowException(
          line,
          (newline > 0 ? reason.substring(0, newline) : reason).trim()
              + " (the rest of the file cannot be read)");
    }
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }

  /**
   * Strict UTF-8: bytes that are not UTF-8 are an error, never replaced. Unlike {@link
   * java.io.InputStreamReader}, it first hands over every character before the bad bytes, so the
   * error surfaces when the parser reaches them, with the right line.
   */
  static final class Utf8Reader extends Reader {
    private final InputStream in;
    private final CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(8192).flip();
    private boolean eof;
    private CoderResult pendingError;

    Utf8Reader(InputStream in) {
      this.in = in;
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
      if (pendingError != null) {
        pendingError.throwException();
      }
      CharBuffer out = CharBuffer.wrap(buf, off, len);
      while (out.position() == off) {
        CoderResult r = decoder.decode(bytes, out, eof);
        if (r.isError()) {
          if (out.position() > off) {
            pendingError = r;
            break;
          }
          r.throwException();
        }
        if (r.isOverflow()) {
          break;
        }
        if (eof) {
          decoder.flush(out);
          return out.position() == off ? -1 : out.position() - off;
        }
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
          eof = true;
        } else {
          bytes.position(bytes.position() + n);
        }
        bytes.flip();
      }
      return out.position() - off;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** A row that cannot be sent, with the line it starts on. */
  static final class MalformedRowException extends Exception {
    private static final long serialVersionUID = 1L;
    private final long line;
    private final String reason;

    MalformedRowException(long line, String reason) {
      super("line " + line + ": " + reason);
      this.line = line;
      this.reason = reason;
    }

    long line() {
      return line;
    }

    String reason() {
      return reason;
    }
  }
}
