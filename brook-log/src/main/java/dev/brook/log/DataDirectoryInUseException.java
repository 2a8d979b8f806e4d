package dev.brook.log;

import java.nio.file.Path;
import org.apache.kafka.common.protocol.Errors;

/** Another broker holds the data directory's lock ({@link DataDirectoryLock}); nothing in the directory was touched. */
public final class DataDirectoryInUseException extends LogException {
    private static final long serialVersionUID = 1L;

    DataDirectoryInUseException(Path dataDir, String holder) {
        super(Errors.KAFKA_STORAGE_ERROR, "data directory " + dataDir.toAbsolutePath() + " is in use by " + holder
                + " (another Brook broker); stop it or choose another --data-dir");
    }
}
