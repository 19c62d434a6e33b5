package io.runnel.producer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The contract files (contract/*.schema.json at the repository root, copied into the jar) as
 * validators: what every stage's tests check records against.
 */
final class Contracts {
  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonSchema EVENT = load(EventContract.EVENT_SCHEMA_RESOURCE);
  static final JsonSchema PRODUCT = load(EventContract.PRODUCT_SCHEMA_RESOURCE);

  private Contracts() {}

  static JsonNode schemaJson(String resource) {
    try (InputStream in = Contracts.class.getResourceAsStream(resource)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonSchema load(String resource) {
    SchemaValidatorsConfig config =
        SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
        .getSchema(schemaJson(resource), config);
  }

  /**
   * Why the bytes break the contract: not UTF-8, not JSON, or the schema's messages; empty when
   * they follow it.
   */
  static List<String> violations(JsonSchema schema, byte[] value) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(value));
    } catch (CharacterCodingException e) {
      return List.of("not UTF-8");
    }
    JsonNode node;
    try {
      node = JSON.readTree(value);
    } catch (IOException e) {
      return List.of("not JSON: " + e.getMessage());
    }
    Set<ValidationMessage> errors = schema.validate(node);
    return errors.stream().map(ValidationMessage::getMessage).toList();
  }

  static JsonNode parse(byte[] value) {
    try {
      return JSON.readTree(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
