package idle.db;

import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@link Database#open} needs to know of an existing schema, read in one go: the tables that
 * do not exist yet, the (upper-case) names of indexes, and the columns later versions added.
 */
record Schema(List<String> missingTables, Set<String> indexes, boolean jobHasOpenFlag,
        boolean jobHasModuleNeeds) {
    static Schema read(DatabaseConfig config) {
        List<String> missing = new ArrayList<>(Database.TABLES);
        Set<String> indexes = new HashSet<>();
        boolean openFlag;
        boolean moduleNeeds;
        try (Connection c = Database.connect(config)) {
            openFlag = hasColumn(c, config, "JOB", "STATE_OPEN");
            moduleNeeds = hasColumn(c, config, "JOB", "MODULE_NEEDS");
            if (config.isEmbeddedDerby() || config.isDerbyClient()) {
                // Derby's catalog: user indexes (and constraints' backing indexes) are
                // conglomerates of their table
                try (PreparedStatement ps = c.prepareStatement("SELECT t.TABLENAME,"
                        + " g.CONGLOMERATENAME, g.ISINDEX FROM SYS.SYSTABLES t"
                        + " JOIN SYS.SYSSCHEMAS s ON s.SCHEMAID = t.SCHEMAID"
                        + " JOIN SYS.SYSCONGLOMERATES g ON g.TABLEID = t.TABLEID"
                        + " WHERE s.SCHEMANAME = CURRENT SCHEMA AND t.TABLETYPE = 'T'");
                        ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        missing.remove(rs.getString(1).toUpperCase(Locale.ROOT));
                        if (rs.getBoolean(3)) {
                            indexes.add(rs.getString(2).toUpperCase(Locale.ROOT));
                        }
                    }
                }
            } else {
                DatabaseMetaData meta = c.getMetaData();
                try (ResultSet rs = meta.getTables(null, c.getSchema(), null,
                        new String[] {"TABLE"})) {
                    while (rs.next()) {
                        missing.remove(rs.getString("TABLE_NAME").toUpperCase(Locale.ROOT));
                    }
                }
                for (String table : List.of("JOB", "AUDIT_EVENT")) {
                    if (missing.contains(table)) {
                        continue;
                    }
                    try (ResultSet rs = meta.getIndexInfo(null, c.getSchema(),
                            stored(meta, table), false, true)) {
                        while (rs.next()) {
                            String name = rs.getString("INDEX_NAME");
                            if (name != null) {
                                indexes.add(name.toUpperCase(Locale.ROOT));
                            }
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new PersistenceException("cannot open " + config.jdbcUrl() + ": "
                    + Database.messages(e), e);
        }
        return new Schema(missing, indexes, openFlag, moduleNeeds);
    }

    static boolean hasColumn(Connection c, DatabaseConfig config, String table, String column)
            throws SQLException {
        if (config.isEmbeddedDerby() || config.isDerbyClient()) {
            // the catalog, not DatabaseMetaData (slow to compile on first use, see above)
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM SYS.SYSCOLUMNS col"
                    + " JOIN SYS.SYSTABLES t ON t.TABLEID = col.REFERENCEID"
                    + " JOIN SYS.SYSSCHEMAS s ON s.SCHEMAID = t.SCHEMAID"
                    + " WHERE s.SCHEMANAME = CURRENT SCHEMA AND t.TABLENAME = ?"
                    + " AND col.COLUMNNAME = ?")) {
                ps.setString(1, table);
                ps.setString(2, column);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        }
        DatabaseMetaData meta = c.getMetaData();
        try (ResultSet rs = meta.getColumns(null, c.getSchema(), stored(meta, table),
                stored(meta, column))) {
            return rs.next();
        }
    }

    /**
     * An unquoted name as the catalog stores it: PostgreSQL folds to lower case, Derby (and
     * the SQL standard) to upper case; DatabaseMetaData's patterns compare exactly.
     */
    static String stored(DatabaseMetaData meta, String name) throws SQLException {
        return meta.storesLowerCaseIdentifiers() ? name.toLowerCase(Locale.ROOT)
                : meta.storesUpperCaseIdentifiers() ? name.toUpperCase(Locale.ROOT) : name;
    }
}
