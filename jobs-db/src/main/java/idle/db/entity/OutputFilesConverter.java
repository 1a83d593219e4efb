package idle.db.entity;

import idle.shared.model.OutputFileInfo;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.ArrayList;
import java.util.List;

/** Stores a list of output files as name, size, sha256 triples in one {@link ListCodec} column. */
@Converter
public class OutputFilesConverter implements AttributeConverter<List<OutputFileInfo>, String> {
    @Override
    public String convertToDatabaseColumn(List<OutputFileInfo> files) {
        if (files == null || files.isEmpty()) {
            return "";
        }
        List<String> flat = new ArrayList<>(files.size() * 3);
        for (OutputFileInfo f : files) {
            flat.add(f.name());
            flat.add(Long.toString(f.size()));
            flat.add(f.sha256());
        }
        return ListCodec.encode(flat);
    }

    @Override
    public List<OutputFileInfo> convertToEntityAttribute(String dbData) {
        List<String> flat = ListCodec.decode(dbData);
        if (flat.size() % 3 != 0) {
            throw new IllegalArgumentException("output file list is not made of triples");
        }
        List<OutputFileInfo> files = new ArrayList<>(flat.size() / 3);
        for (int i = 0; i < flat.size(); i += 3) {
            files.add(new OutputFileInfo(flat.get(i), Long.parseLong(flat.get(i + 1)), flat.get(i + 2)));
        }
        return files;
    }
}
