package io.runnel.platform;

import java.util.List;

/** The login roles the migrations create, and the variable holding each one's password. */
enum WarehouseRoles {
  LOADER("runnel_loader", "RUNNEL_PG_LOADER_PASSWORD"),
  TRANSFORMER("runnel_transformer", "RUNNEL_PG_TRANSFORMER_PASSWORD"),
  ANALYST("runnel_analyst", "RUNNEL_PG_ANALYST_PASSWORD");

  static final String ADMIN_USER = "RUNNEL_PG_ADMIN_USER";
  static final String ADMIN_PASSWORD = "RUNNEL_PG_ADMIN_PASSWORD";

  final String role;
  final String passwordVariable;

  WarehouseRoles(String role, String passwordVariable) {
    this.role = role;
    this.passwordVariable = passwordVariable;
  }

  static List<WarehouseRoles> all() {
    return List.of(values());
  }
}
