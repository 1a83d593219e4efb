package idle.db;

import org.eclipse.persistence.descriptors.ClassDescriptor;
import org.eclipse.persistence.internal.helper.DatabaseField;
import org.eclipse.persistence.mappings.DatabaseMapping;
import org.eclipse.persistence.platform.database.PostgreSQLPlatform;
import org.eclipse.persistence.sessions.Session;
import org.eclipse.persistence.sessions.SessionCustomizer;

/**
 * Makes the entities' column types fit the database the schema is created in. The entities say
 * {@code columnDefinition = "CLOB"} for their large text columns (lists through a converter,
 * which EclipseLink would otherwise make {@code VARCHAR(255)}), the type Derby databases have
 * always had; PostgreSQL has no CLOB, and takes {@code TEXT} instead. Run by EclipseLink before it
 * logs in ({@code eclipselink.session.customizer}); stateless.
 */
public final class PortableColumns implements SessionCustomizer {
    public PortableColumns() {
    }

    @Override
    public void customize(Session session) {
        if (!(session.getDatasourcePlatform() instanceof PostgreSQLPlatform)) {
            return;
        }
        for (ClassDescriptor descriptor : session.getDescriptors().values()) {
            // the mappings' fields: the descriptor's own list is filled later, at login
            for (DatabaseMapping mapping : descriptor.getMappings()) {
                DatabaseField field = mapping.getField();
                if (field != null && "CLOB".equalsIgnoreCase(field.getColumnDefinition())) {
                    field.setColumnDefinition("TEXT");
                }
            }
        }
    }
}
