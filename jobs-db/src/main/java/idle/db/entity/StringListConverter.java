package idle.db.entity;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.List;

/** Stores a {@code List<String>} in one text column using {@link ListCodec}. */
@Converter
public class StringListConverter implements AttributeConverter<List<String>, String> {
    @Override
    public String convertToDatabaseColumn(List<String> attribute) {
        return ListCodec.encode(attribute);
    }

    @Override
    public List<String> convertToEntityAttribute(String dbData) {
        return ListCodec.decode(dbData);
    }
}
